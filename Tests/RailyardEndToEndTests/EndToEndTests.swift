import Testing

/// The end-to-end suites: each starts real `railyard server` processes and drives them with the
/// real CLI or the client. They run one at a time so their servers do not compete for the CPU.
@Suite("End to end", .serialized)
enum EndToEndTests {}
