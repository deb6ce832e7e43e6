#ifndef TRIBUTARY_PREFETCH_H
#define TRIBUTARY_PREFETCH_H

/// Asks the CPU to start loading the cache line at `address` (for reading, kept in every cache level). A hint only:
/// it never faults, whatever the address. Swift has no prefetch of its own; the ingest hot path uses this to load the
/// route-cache slots and entries of a datagram's next lines while it applies the current one.
static inline __attribute__((always_inline)) void tributary_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
