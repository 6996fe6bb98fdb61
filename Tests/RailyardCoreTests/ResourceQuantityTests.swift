import RailyardCore
import Testing

@Suite("Resource quantities (memoryLimit, cpuLimit)")
struct ResourceQuantityTests {
    @Test("memory sizes as Kubernetes writes them: binary and decimal suffixes, bare bytes", arguments: [
        ("512Mi", Int64(512) << 20), ("1Gi", Int64(1) << 30), ("64Ki", Int64(64) << 10), ("2Ti", Int64(2) << 40),
        ("750M", Int64(750_000_000)), ("2G", Int64(2_000_000_000)), ("1k", Int64(1000)), ("1048576", Int64(1_048_576)), (" 1Gi ", Int64(1) << 30),
    ])
    func memory(text: String, bytes: Int64) {
        #expect(ResourceQuantity.bytes(text) == bytes)
    }

    @Test("what is not a memory size is nil", arguments: ["", "Mi", "1.5Gi", "-1Gi", "1GB", "lots", "9999999999Ti"])
    func badMemory(text: String) {
        #expect(ResourceQuantity.bytes(text) == nil)
    }

    @Test("CPUs as millicores or numbers; the rest is nil")
    func cpus() {
        #expect(ResourceQuantity.cpus("500m") == 0.5)
        #expect(ResourceQuantity.cpus("2") == 2)
        #expect(ResourceQuantity.cpus("0.25") == 0.25)
        for bad in ["", "m", "half", "-1", "1.5m", "inf", "nan"] { #expect(ResourceQuantity.cpus(bad) == nil, "\(bad)") }
    }
}
