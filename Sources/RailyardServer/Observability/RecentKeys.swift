/// A set that remembers only its newest `capacity` keys: "have I handled this already?" for
/// events that arrive more than once close together (a deployment outcome written twice), without
/// growing for the server's whole life.
struct RecentKeys {
    let capacity: Int
    private var keys: Set<String> = []
    private var order: [String] = []
    /// Where the oldest key is in `order` once it is full (a ring).
    private var oldest = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Adds `key`; false when it was there already. The oldest key is forgotten when full.
    mutating func insert(_ key: String) -> Bool {
        guard keys.insert(key).inserted else { return false }
        if order.count < capacity {
            order.append(key)
        } else {
            keys.remove(order[oldest])
            order[oldest] = key
            oldest = (oldest + 1) % capacity
        }
        return true
    }

    var count: Int { keys.count }

    func contains(_ key: String) -> Bool { keys.contains(key) }
}
