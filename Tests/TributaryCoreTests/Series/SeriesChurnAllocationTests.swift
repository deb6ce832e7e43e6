import Testing

@testable import TributaryCore

#if canImport(Glibc)
    import Glibc

    /// A new series must cost the same memory traffic whatever the size of its family: creating one used to copy
    /// the family's label index and series list (quadratic churn: the same number of mallocs, but each as large as
    /// the family). Needs a byte-counting malloc preloaded into the test process, so disabled in a plain
    /// `swift test`. Run it alone:
    ///
    /// ```
    /// cat > /tmp/bytes.c <<'C'
    /// #define _GNU_SOURCE
    /// #include <dlfcn.h>
    /// #include <stdatomic.h>
    /// #include <stddef.h>
    /// static _Atomic unsigned long bytes;
    /// unsigned long tributary_malloc_bytes(void) { return atomic_load(&bytes); }
    /// void *malloc(size_t n) { static void *(*m)(size_t); if (!m) m = dlsym(RTLD_NEXT, "malloc");
    ///                          atomic_fetch_add(&bytes, n); return m(n); }
    /// void *realloc(void *p, size_t n) { static void *(*r)(void *, size_t); if (!r) r = dlsym(RTLD_NEXT, "realloc");
    ///                                    atomic_fetch_add(&bytes, n); return r(p, n); }
    /// C
    /// gcc -shared -fPIC -O2 -o /tmp/libbytes.so /tmp/bytes.c -ldl
    /// LD_PRELOAD=/tmp/libbytes.so swift test --filter SeriesChurnAllocationTests
    /// ```
    struct SeriesChurnAllocationTests {
        typealias Counter = @convention(c) () -> UInt

        static let bytes: Counter? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "tributary_malloc_bytes").map {
            unsafeBitCast($0, to: Counter.self)
        }

        /// Bytes allocated for the first line of a new series in a family that already holds `familySize` series,
        /// averaged over 1000 new series.
        private func bytesPerNewSeries(familySize: Int) -> Double {
            guard let bytes = Self.bytes else { return .nan }
            var state = ShardState()
            state.apply((0..<familySize).map { "churn:1|c|#id:\($0)" }.joined(separator: "\n"))
            // Lines made up front, so that only applying them is counted.
            let lines = (familySize..<familySize + 1000).map { Array("churn:1|c|#id:\($0)".utf8) }
            let before = bytes()
            for line in lines { line.withUnsafeBytes { state.apply(lines: $0, now: 0) } }
            return Double(bytes() - before) / Double(lines.count)
        }

        @Test(.enabled(if: bytes != nil, "needs LD_PRELOAD of a byte-counting malloc, see the doc comment"))
        func newSeriesCostDoesNotGrowWithTheFamily() {
            let small = self.bytesPerNewSeries(familySize: 10)
            let large = self.bytesPerNewSeries(familySize: 20_000)
            // Growing the index and list now and then is amortised; copying them per series is ~1 MB at 20 000.
            #expect(large <= small + 16_384, "bytes per new series: \(small) (small family), \(large) (large)")
        }
    }
#endif
