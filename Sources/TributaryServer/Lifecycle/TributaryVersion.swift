/// The version reported by `--version`, the status page and `tributary_build_info`.
package enum TributaryVersion {
    package static let current = "0.1.0"

    /// The compiler that built this binary, for `tributary_build_info{swift_version}`.
    #if compiler(>=6.3)
    package static let swift = "6.3"
    #elseif compiler(>=6.2)
    package static let swift = "6.2"
    #else
    package static let swift = "6.1"
    #endif
}
