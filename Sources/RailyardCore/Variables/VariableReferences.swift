import Foundation

/// Railway's variable references, resolved at release time: `${{NAME}}` (the service's own variable,
/// else a shared one, else one Railyard injects, e.g. `${{RAILYARD_PUBLIC_DOMAIN}}`),
/// `${{shared.NAME}}`, and `${{Service.NAME}}` (another service of the environment: its own
/// variables, then its injected ones; the service name in any case). A value may hold several
/// references and text around them; referenced values may refer on. A reference to an unknown
/// service or variable, or a cycle, is an error that names it.
public enum VariableReferences {
    /// One service's variables as references see them.
    public struct Scope: Sendable, Equatable {
        /// Its own variables (unresolved).
        public var own: [String: String]
        /// What Railyard injects for it (`RAILYARD_…`, `RAILWAY_…`), which cannot refer on.
        public var injected: [String: String]

        public init(own: [String: String], injected: [String: String] = [:]) {
            self.own = own
            self.injected = injected
        }
    }

    /// Every variable `service` sees (shared overridden by its own), with references replaced.
    /// `services` holds every service of the environment by name, `service` included.
    public static func resolve(
        service: String, services: [String: Scope], shared: [String: String]
    ) throws(RailyardError) -> [String: String] {
        var resolver = Resolver(services: services, shared: shared)
        var result: [String: String] = [:]
        let scope = services[service] ?? Scope(own: [:])
        for name in Set(shared.keys).union(scope.own.keys).sorted() {
            let key: Resolver.Key = scope.own[name] != nil ? .own(service: service, name) : .shared(name, via: service)
            result[name] = try resolver.value(of: key, path: [])
        }
        return result
    }

    /// Whether `value` holds a reference.
    public static func hasReference(_ value: String) -> Bool {
        value.contains("${{")
    }

    private struct Resolver {
        enum Key: Hashable {
            /// A service's own variable.
            case own(service: String, String)
            /// A shared variable, its references read as from `via`.
            case shared(String, via: String)

            var label: String {
                switch self {
                case .own(let service, let name): "\(service).\(name)"
                case .shared(let name, _): "shared.\(name)"
                }
            }
        }

        let services: [String: Scope]
        let shared: [String: String]
        var done: [Key: String] = [:]

        init(services: [String: Scope], shared: [String: String]) {
            self.services = services
            self.shared = shared
        }

        mutating func value(of key: Key, path: [Key]) throws(RailyardError) -> String {
            if let value = done[key] { return value }
            if path.contains(key) {
                let cycle = (path.drop { $0 != key } + [key]).map(\.label).joined(separator: " → ")
                throw RailyardError(.invalidInput, "variables refer to each other in a cycle: \(cycle); break it by giving one of them a value", field: "variables")
            }
            let raw: String
            let context: String
            switch key {
            case .own(let service, let name):
                raw = services[service]?.own[name] ?? ""
                context = service
            case .shared(let name, let via):
                raw = shared[name] ?? ""
                context = via
            }
            let value = try substitute(raw, in: context, for: key, path: path + [key])
            done[key] = value
            return value
        }

        /// `raw` with each `${{…}}` replaced, read as from service `context`.
        mutating func substitute(_ raw: String, in context: String, for key: Key, path: [Key]) throws(RailyardError) -> String {
            guard VariableReferences.hasReference(raw) else { return raw }
            var output = ""
            var rest = raw[...]
            while let open = rest.range(of: "${{") {
                output += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].range(of: "}}") else {
                    throw RailyardError(
                        .invalidInput, "`\(key.label)` has a `${{` without its closing `}}`; write a reference as ${{NAME}}, ${{shared.NAME}} or ${{Service.NAME}}",
                        field: "variables"
                    )
                }
                let reference = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                output += try lookup(reference, in: context, for: key, path: path)
                rest = rest[close.upperBound...]
            }
            return output + rest
        }

        mutating func lookup(_ reference: String, in context: String, for key: Key, path: [Key]) throws(RailyardError) -> String {
            let written = "${{\(reference)}}"
            let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
            guard let first = parts.first, !first.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
                throw RailyardError(.invalidInput, "`\(key.label)` has an empty reference \(written)", field: "variables")
            }
            if parts.count == 1 {
                let scope = services[context] ?? Scope(own: [:])
                if scope.own[first] != nil { return try value(of: .own(service: context, first), path: path) }
                if shared[first] != nil { return try value(of: .shared(first, via: context), path: path) }
                if let injected = scope.injected[first] { return injected }
                throw RailyardError(
                    .invalidInput, "`\(key.label)` refers to \(written), but \(context) has no variable \(first) (nor a shared one)", field: "variables"
                )
            }
            let (namespace, name) = (parts[0], parts[1])
            if namespace == "shared" {
                guard shared[name] != nil else {
                    throw RailyardError(.invalidInput, "`\(key.label)` refers to \(written), but there is no shared variable \(name)", field: "variables")
                }
                return try value(of: .shared(name, via: context), path: path)
            }
            guard let service = services.keys.first(where: { $0.lowercased() == namespace.lowercased() }) else {
                throw RailyardError(
                    .invalidInput, "`\(key.label)` refers to \(written), but this environment has no service named \(namespace)", field: "variables"
                )
            }
            let scope = services[service]!
            if scope.own[name] != nil { return try value(of: .own(service: service, name), path: path) }
            if let injected = scope.injected[name] { return injected }
            throw RailyardError(.invalidInput, "`\(key.label)` refers to \(written), but service \(service) has no variable \(name)", field: "variables")
        }
    }
}

extension VariableReferences {
    /// The references written in `value`, each as (namespace, name): namespace nil for `${{NAME}}`,
    /// `shared` or a service name otherwise. Malformed ones are left out (deploying reports them).
    public static func references(in value: String) -> [(namespace: String?, name: String)] {
        var found: [(namespace: String?, name: String)] = []
        var rest = value[...]
        while let open = rest.range(of: "${{"), let close = rest[open.upperBound...].range(of: "}}") {
            let reference = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 2 { found.append((parts[0], parts[1])) } else if parts.count == 1 { found.append((nil, parts[0])) }
            rest = rest[close.upperBound...]
        }
        return found
    }

    /// The services whose variables refer to one of `keys` of service `owner` (nil: the shared
    /// variables), by name, sorted: they see a change once they deploy again. `services` holds each
    /// service's own variables by name.
    public static func users(of keys: Set<String>, owner: String?, services: [String: [String: String]]) -> [String] {
        services.compactMap { name, own -> String? in
            let refers = own.values.contains { value in
                references(in: value).contains { namespace, key in
                    guard keys.contains(key) else { return false }
                    switch (namespace?.lowercased(), owner?.lowercased()) {
                    case ("shared"?, nil): return true
                    case (nil, nil): return own[key] == nil
                    case (nil, let owner?): return owner == name.lowercased()
                    case (let namespace?, let owner?): return namespace == owner
                    default: return false
                    }
                }
            }
            return refers ? name : nil
        }.sorted()
    }
}
