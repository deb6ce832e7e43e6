/// Where and how Tributary listens for the JSON feed (newline-delimited JSON over Unix sockets).
///
/// ```swift
/// var json = JSONFeedConfiguration()
/// json.streamPath = "/run/tributary/feed.sock"   // --json.listen-unix
/// json.datagramPath = "/run/tributary/feed.dgram" // --json.listen-unixgram
/// json.group = "metrics"                           // --json.unixsocket-group
/// ```
package struct JSONFeedConfiguration: Sendable {
    /// Unix stream socket path; nil = off.
    package var streamPath: String?
    /// Unix datagram socket path; nil = off.
    package var datagramPath: String?
    /// Octal file mode of both socket files.
    package var socketMode: String
    /// Group (name or gid) of both socket files; nil keeps the process's group.
    package var group: String?
    /// Longest accepted stream line in bytes (also the largest datagram read).
    package var maxLineBytes: Int
    /// Concurrent stream connections; more are closed on accept and counted.
    package var maxConnections: Int

    package static let defaultMaxLineBytes = 65536

    package init(
        streamPath: String? = nil, datagramPath: String? = nil, socketMode: String = "660", group: String? = nil,
        maxLineBytes: Int = defaultMaxLineBytes, maxConnections: Int = 256
    ) {
        self.streamPath = streamPath
        self.datagramPath = datagramPath
        self.socketMode = socketMode
        self.group = group
        self.maxLineBytes = maxLineBytes
        self.maxConnections = maxConnections
    }

    /// Readiness component names for the configured listeners.
    package var readinessComponents: Set<String> {
        var names: Set<String> = []
        if self.streamPath != nil { names.insert("json-unix") }
        if self.datagramPath != nil { names.insert("json-unixgram") }
        return names
    }
}
