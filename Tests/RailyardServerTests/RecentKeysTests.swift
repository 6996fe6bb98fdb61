@testable import RailyardServer
import Testing

@Suite("RecentKeys: a bounded memory of handled events")
struct RecentKeysTests {
    @Test("a key is new once; past the capacity the oldest is forgotten and the count stays put")
    func bounded() {
        var keys = RecentKeys(capacity: 3)
        let first = keys.insert("a"), again = keys.insert("a")
        #expect(first && !again)
        let b = keys.insert("b"), c = keys.insert("c"), d = keys.insert("d")
        #expect(b && c && d, "a fourth key goes in")
        #expect(keys.count == 3 && !keys.contains("a") && keys.contains("b") && keys.contains("d"))
        let cAgain = keys.insert("c")
        #expect(!cAgain, "a recent key is still known")
        var allNew = true
        for index in 0..<100 { allNew = keys.insert("k\(index)") && allNew }
        #expect(allNew)
        #expect(keys.count == 3 && keys.contains("k99") && keys.contains("k97") && !keys.contains("k96"))
    }
}
