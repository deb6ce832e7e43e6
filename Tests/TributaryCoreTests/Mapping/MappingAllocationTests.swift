import Testing

@testable import TributaryCore

#if canImport(Glibc)
    import Glibc

    /// Allocation budget of `CompiledMapper.map` on the glob path: the trie lookup allocates nothing, an outcome
    /// allocates only its labels array (and label values longer than 15 bytes), an unmatched clean name nothing.
    ///
    /// Needs a malloc counter preloaded into the test process, so it is disabled in a plain `swift test`.
    /// Run it alone (other tests would add their allocations):
    ///
    /// ```
    /// cat > /tmp/count.c <<'C'
    /// #define _GNU_SOURCE
    /// #include <dlfcn.h>
    /// #include <stdatomic.h>
    /// #include <stddef.h>
    /// static _Atomic unsigned long counter;
    /// unsigned long tributary_malloc_count(void) { return atomic_load(&counter); }
    /// void *malloc(size_t n) { static void *(*m)(size_t); if (!m) m = dlsym(RTLD_NEXT, "malloc");
    ///                          atomic_fetch_add(&counter, 1); return m(n); }
    /// void *realloc(void *p, size_t n) { static void *(*r)(void *, size_t); if (!r) r = dlsym(RTLD_NEXT, "realloc");
    ///                                    atomic_fetch_add(&counter, 1); return r(p, n); }
    /// C
    /// gcc -shared -fPIC -O2 -o /tmp/libcount.so /tmp/count.c -ldl
    /// LD_PRELOAD=/tmp/libcount.so swift test --filter MappingAllocationTests
    /// ```
    struct MappingAllocationTests {
        typealias Counter = @convention(c) () -> UInt

        static let counter: Counter? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "tributary_malloc_count").map {
            unsafeBitCast($0, to: Counter.self)
        }

        /// Mallocs per call of `body`, averaged over 1000 calls after one warm-up call.
        static func mallocs(_ body: () -> Void) -> Double {
            guard let counter = Self.counter else { return .nan }
            body()
            let before = counter()
            for _ in 0..<1000 { body() }
            return Double(counter() - before) / 1000
        }

        @Test(.enabled(if: counter != nil, "needs LD_PRELOAD of a malloc counter, see the doc comment"))
        func globPathAllocatesOnlyTheOutcome() throws {
            let mapper = try CompiledMapper.load(
                yaml: """
                    mappings:
                    - match: "web.*.requests"
                      name: "web_requests_total"
                      labels: {handler: "$1", kind: "http"}
                    - match: "cache.*.*"
                      name: "cache_ops_total"
                    """)
            var visits = 0
            let lookup = Self.mallocs {
                _ = mapper.globTrie.lookup(name: "web.home.requests", type: .counter, visits: &visits) { r, _, _ in r }
            }
            #expect(lookup == 0)
            #expect(Self.mallocs { _ = mapper.map(name: "web.home.requests", type: .counter) } <= 1)
            #expect(Self.mallocs { _ = mapper.map(name: "cache.users.hit", type: .counter) } == 0)
            #expect(Self.mallocs { _ = mapper.map(name: "unmatched_clean_name", type: .counter) } == 0)
        }
    }
#endif
