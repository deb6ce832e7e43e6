/// The version reported by `--version`, the landing page and `tributary_build_info`.
package enum TributaryVersion {
    package static let current = "0.1.0"
}
