import Testing

@testable import TributaryCore

/// Matching one glob on its own (the reference `GlobTrie` is checked against, and what `explain` uses).
struct GlobPatternTests {
    @Test(
        arguments: [
            ("a.*.c", "a.b.c", ["b"]),
            ("a.*.c", "a.b.d", nil),
            ("a.*", "a.b.c", nil),
            ("*", "", [""]),
            ("foo*bar", "foobazbar", ["baz"]),
            ("foo*bar", "foobar", [""]),
            ("foo*bar", "fobar", nil),
            ("*-*", "a-b-c", ["a-b", "c"]),
            ("*x*", "axbxc", ["axb", "c"]),
            ("a.*.*", "a.é.ü", ["é", "ü"]),
        ] as [(String, String, [String]?)])
    func globPatternMatchesComponents(_ pattern: String, _ name: String, _ captures: [String]?) throws {
        let glob = try #require(GlobPattern(pattern))
        #expect(glob.match(name)?.map(String.init) == captures)
    }

    @Test(arguments: ["", "a..b", ".a", "a."])
    func globPatternRejectsEmptyComponents(_ pattern: String) {
        #expect(GlobPattern(pattern) == nil)
    }
}
