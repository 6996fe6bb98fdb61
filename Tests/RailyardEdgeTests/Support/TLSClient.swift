import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import X509

/// One request over TLS with a chosen server name (SNI), as a browser would send it: returns the
/// certificate the edge presented and the raw response up to the close.
enum TLSClient {
    struct Exchange {
        var peer: Certificate?
        var response: RawResponse
    }

    /// Sends `raw` to 127.0.0.1:`port` over TLS naming `serverName`. With `trust`, the chain must
    /// verify against it for that name; without, any certificate is taken (to see what came).
    static func exchange(_ raw: String, serverName: String, port: Int, trust: [Certificate]? = nil) async throws -> Exchange {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let trust {
            configuration.trustRoots = .certificates(try trust.map { try NIOSSLCertificate(bytes: Array($0.serializeAsPEM().pemString.utf8), format: .pem) })
        } else {
            configuration.certificateVerification = .none
        }
        let context = try NIOSSLContext(configuration: configuration)
        let (asyncChannel, channel) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                    return (try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel), channel)
                }
            }
        let (received, peer) = try await asyncChannel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: raw))
            var received = ByteBuffer()
            var peer: Certificate?
            do {
                for try await var chunk in inbound {
                    if peer == nil {
                        let der = try await channel.eventLoop.submit {
                            try channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate?.toDERBytes()
                        }.get()
                        peer = try der.map { try Certificate(derEncoded: $0) }
                    }
                    received.writeBuffer(&chunk)
                }
            } catch where received.readableBytes > 0 {
                // A close without close_notify after the whole response is not the test's concern.
            }
            return (received, peer)
        }
        return Exchange(peer: peer, response: RawResponse(String(buffer: received)))
    }

    /// The DNS names a certificate covers.
    static func names(_ certificate: Certificate?) -> [String] {
        guard let names = try? certificate?.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { if case .dnsName(let name) = $0 { name } else { nil } }
    }
}
