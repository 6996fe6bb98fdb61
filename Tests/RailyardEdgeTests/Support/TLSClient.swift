import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import X509

/// One request over TLS with a chosen server name (SNI), as a browser would send it: returns the
/// certificate the edge presented and the raw response up to the close.
enum TLSClient {
    struct Exchange {
        var peer: Certificate?
        var response: RawResponse
    }

    /// Sends `raw` to 127.0.0.1:`port` over TLS naming `serverName` (nil: no SNI). With `trust`, the
    /// chain must verify against it for that name; without, any certificate is taken (to see what came).
    static func exchange(_ raw: String, serverName: String?, port: Int, trust: [Certificate]? = nil) async throws -> Exchange {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let trust {
            configuration.trustRoots = .certificates(try trust.map { try NIOSSLCertificate(bytes: Array($0.serializeAsPEM().pemString.utf8), format: .pem) })
        } else {
            configuration.certificateVerification = .none
        }
        let context = try NIOSSLContext(configuration: configuration)
        let (asyncChannel, peer) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let peer = channel.eventLoop.makePromise(of: [UInt8]?.self)
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                    try channel.pipeline.syncOperations.addHandler(PeerCertificateCatcher(peer: peer))
                    return (try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel), peer.futureResult)
                }
            }
        let received = try await asyncChannel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: raw))
            var received = ByteBuffer()
            do {
                for try await var chunk in inbound { received.writeBuffer(&chunk) }
            } catch where received.readableBytes > 0 {
                // A close without close_notify after the whole response is not the test's concern.
            }
            return received
        }
        let certificate = try await peer.get().map { try Certificate(derEncoded: $0) }
        return Exchange(peer: certificate, response: RawResponse(String(buffer: received)))
    }

    /// The DNS names a certificate covers.
    static func names(_ certificate: Certificate?) -> [String] {
        guard let names = try? certificate?.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { if case .dnsName(let name) = $0 { name } else { nil } }
    }
}

/// Takes the peer's certificate (DER) from the TLS handler once the handshake completes.
private final class PeerCertificateCatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let peer: EventLoopPromise<[UInt8]?>

    init(peer: EventLoopPromise<[UInt8]?>) { self.peer = peer }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent {
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
            peer.succeed(try? handler?.peerCertificate?.toDERBytes())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.succeed(nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        peer.fail(error)
        context.fireErrorCaught(error)
    }
}
