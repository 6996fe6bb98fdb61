import Foundation

/// Service names made from folder names, for the service `railyard up` creates in an empty project.
public enum ServiceName {
    /// What a folder with nothing usable in its name gives.
    public static let fallback = "app"

    /// The folder's last path component as a DNS label: accents dropped, lowercased, every run of
    /// other characters turned into one `-`, no `-` at either end, at most 63 characters.
    public static func fromFolder(_ path: String) -> String {
        let folder = path.split(separator: "/").last.map(String.init) ?? ""
        let plain = folder.folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        var label = ""
        for scalar in plain.unicodeScalars {
            let isAllowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if isAllowed {
                label.unicodeScalars.append(scalar)
            } else if !label.isEmpty, !label.hasSuffix("-") {
                label += "-"
            }
        }
        label = String(label.prefix(63))
        while label.hasSuffix("-") { label.removeLast() }
        return label.isEmpty ? fallback : label
    }
}
