// swift-tools-version:6.0
import PackageDescription

// No package dependencies. CEpoll is a local, header-only C shim: Swift's Glibc module does not
// export <sys/epoll.h>, nor accept4 (it needs _GNU_SOURCE).
let package = Package(
    name: "proto",
    targets: [
        .target(name: "CEpoll"),
        .executableTarget(
            name: "proto",
            dependencies: ["CEpoll"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
    ],
    swiftLanguageModes: [.v5]
)
