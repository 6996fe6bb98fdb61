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
        if request.known, let accessLog = accessLog {
            accessLog(AccessRecord(
                time: request.arrived, host: request.host, method: request.summary.method.rawValue, path: String(request.path),
                status: Int(request.status?.code ?? 0), durationMs: Double(elapsed.nanoseconds / 1000) / 1000,
                bytes: request.bytesSent, requestId: request.summary.requestID
            ))
        }
        guard debugLogging else { return }
        let logger = self.logger
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
