import Logging
import NIOCore
import RailyardCore

/// What the edge tells about each request it answered: the access log (known hosts) and, at debug
/// level, the server log.
extension EdgeConnectionHandler {
    func log(_ request: ActiveRequest) {
        environment.log(request)
    }
}

extension EdgeEnvironment {
    /// Tells the access log (known hosts) and, at debug level, the server log about one request.
    func log(_ request: EdgeConnectionHandler.ActiveRequest) {
        let elapsed = NIODeadline.now() - request.start
        if request.known, let accessLog = accessLog { accessLog(accessRecord(request, elapsed: elapsed)) }
        if debugLogging { debugLog(request, elapsed: elapsed) }
    }

    /// Adds the access record of a request to `batch` (known hosts) and tells the server log at
    /// debug level: the epoll engine's way, its batch handed to `accessLogBatch` once per round of
    /// events.
    func log(_ request: EdgeConnectionHandler.ActiveRequest, into batch: inout [AccessRecord]) {
        guard accessLogBatch != nil else { return log(request) }
        let elapsed = NIODeadline.now() - request.start
        if request.known { batch.append(accessRecord(request, elapsed: elapsed)) }
        if debugLogging { debugLog(request, elapsed: elapsed) }
    }

    private func accessRecord(_ request: EdgeConnectionHandler.ActiveRequest, elapsed: TimeAmount) -> AccessRecord {
        AccessRecord(
            time: request.arrived, host: request.host, method: request.summary.method.rawValue, path: String(request.path),
            status: Int(request.status?.code ?? 0), durationMs: Double(elapsed.nanoseconds / 1000) / 1000,
            bytes: request.bytesSent, requestId: request.summary.requestID
        )
    }

    private func debugLog(_ request: EdgeConnectionHandler.ActiveRequest, elapsed: TimeAmount) {
        var metadata: Logger.Metadata = [
            "http.method": "\(request.summary.method.rawValue)",
            "http.host": "\(request.host)",
            "http.path": "\(request.path)",
            "http.status": "\(request.status.map { String($0.code) } ?? "-")",
            "http.duration_ms": "\(Double(elapsed.nanoseconds / 1000) / 1000)",
            "request.id": "\(request.summary.requestID)",
        ]
        if let upstream = request.upstream { metadata["edge.upstream"] = "\(upstream)" }
        if let note = request.note { metadata["edge.error"] = "\(note)" }
        logger.debug("request", metadata: metadata)
    }
}
