import Foundation

/// Kubernetes-style resource quantities, as the seed guide's manifest writes its limits
/// (`memory: "512Mi"`, `cpu: "500m"`).
public enum ResourceQuantity {
    /// Bytes of a memory quantity: a whole number with an optional suffix, binary (`Ki`, `Mi`, `Gi`,
    /// `Ti`) or decimal (`k`, `M`, `G`, `T`); a bare number is bytes. Nil when it does not parse.
    public static func bytes(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [
            ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40),
            ("k", 1_000), ("K", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
        ]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let number = Int64(trimmed.dropLast(suffix.count)), number >= 0 else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
        return Int64(trimmed).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// CPUs of a CPU quantity: millicores (`500m`) or a number of CPUs (`0.5`, `2`). Nil when it does not parse.
    public static func cpus(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("m") {
            return Int(trimmed.dropLast()).flatMap { $0 >= 0 ? Double($0) / 1000 : nil }
        }
        return Double(trimmed).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
    }
}
