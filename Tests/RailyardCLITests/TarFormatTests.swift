import Testing

@testable import RailyardCLI

@Suite("The ustar format")
struct TarFormatTests {
    @Test("a header is one block with octal fields, ustar magic and a valid checksum")
    func header() {
        let block = TarFormat.headers(for: SourceEntry(path: "a.txt", kind: .file(size: 5, executable: false)))
        #expect(block.count == 512)
        #expect(String(decoding: block[0..<5], as: UTF8.self) == "a.txt")
        #expect(String(decoding: block[100..<107], as: UTF8.self) == "0000644")
        #expect(String(decoding: block[124..<135], as: UTF8.self) == "00000000005")
        #expect(String(decoding: block[257..<263], as: UTF8.self) == "ustar\0")
        #expect(block[156] == UInt8(ascii: "0"))
        var copy = block
        for index in 148..<156 { copy[index] = 0x20 }
        let sum = copy.reduce(0) { $0 + Int($1) }
        #expect(String(decoding: block[148..<154], as: UTF8.self) == String(sum, radix: 8).leftPadded(to: 6))
    }

    @Test("long paths split into prefix and name at a slash when they fit, else need pax")
    func split() {
        let fits = Array((String(repeating: "d", count: 120) + "/" + String(repeating: "f", count: 90)).utf8)
        let split = TarFormat.splitPath(fits)
        #expect(split?.prefix.count == 120 && split?.name.count == 90)
        #expect(TarFormat.splitPath(Array(String(repeating: "n", count: 101).utf8)) == nil)
        let entry = SourceEntry(path: String(repeating: "n", count: 101), kind: .file(size: 0, executable: false))
        let blocks = TarFormat.headers(for: entry)
        #expect(blocks.count == 3 * 512, "pax header, its records, the entry's header")
        #expect(blocks[156] == UInt8(ascii: "x"))
    }

    @Test("pax record lengths count their own digits")
    func paxLength() {
        let body = String(decoding: TarFormat.paxBody([("path", String(repeating: "a", count: 92))]), as: UTF8.self)
        #expect(body.hasPrefix("102 path="), "99 bytes plus 2 digits is 101, which has 3 digits: 102")
        #expect(body.utf8.count == 102)
        let short = String(decoding: TarFormat.paxBody([("path", "abc")]), as: UTF8.self)
        #expect(short == "12 path=abc\n")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(width - count, 0)) + self
    }
}
