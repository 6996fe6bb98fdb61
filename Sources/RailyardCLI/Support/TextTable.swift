/// Plain-text columns for terminal output: each column as wide as its widest cell, two spaces apart.
public struct TextTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    /// A table with a header row and data rows.
    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// The table as lines of text, trailing spaces trimmed.
    public func render() -> String {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                let padding = column == row.count - 1 ? 0 : widths[column] - cell.count + 2
                line += cell + String(repeating: " ", count: max(padding, 0))
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
