import Foundation

/// What the edge does with a request for one host.
public enum Route: Sendable, Equatable {
    /// Proxy to these replicas, round robin. An empty list answers 503, like `.unavailable`.
    case upstreams([Upstream])
    /// Serve a static release from this directory on disk (the edge itself, no app process).
    case directory(URL)
    /// The service exists but nothing is up: answer a 503 page that shows this reason.
    case unavailable(String)
    /// The service sleeps (`sleepApplication`): hold each request, ask for a wake, and send it on
    /// once the host has replicas again.
    case sleeping
}
