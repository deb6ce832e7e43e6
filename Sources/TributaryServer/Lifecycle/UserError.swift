/// An error the user caused and can fix, as the one line a command prints after `Error: `: the flag or file, what
/// is wrong and what to do (`--statsd.mapping-config m.yml: line 3: …; fix the file (…)`). Listener problems are
/// ``ListenerBindError``s, which build the same kind of line from the system's error.
package struct UserError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
