/// Which tag dialects the parser recognises (statsd_exporter's `--statsd.parse-*-tags` flags).
package struct TagDialects: Sendable, Hashable {
    package var dogStatsD: Bool
    package var influxDB: Bool
    package var librato: Bool
    package var signalFX: Bool
    /// The DogStatsD v1.2 container id (`|c:<id>`) becomes the label `container_id`, as in statsd_exporter 0.29+
    /// (`--no-statsd.container-id-label` turns it off; the id is then still checked, and ignored).
    package var containerIDLabel: Bool

    package static let all = TagDialects(dogStatsD: true, influxDB: true, librato: true, signalFX: true)

    package init(dogStatsD: Bool, influxDB: Bool, librato: Bool, signalFX: Bool, containerIDLabel: Bool = true) {
        self.dogStatsD = dogStatsD
        self.influxDB = influxDB
        self.librato = librato
        self.signalFX = signalFX
        self.containerIDLabel = containerIDLabel
    }
}

/// Byte offsets into one StatsD line (half-open ranges; `start == end` means absent).
///
/// Describes the parts of a line shared by all its samples: the name section (with any
/// InfluxDB/Librato/SignalFX tags inside it) and the DogStatsD tag component.
package struct StatsDLineLayout: Sendable {
    /// `name[,k=v…]` — everything before the first `:`.
    package var nameSectionStart = 0
    package var nameSectionEnd = 0
    /// DogStatsD tags after `|#`, without the `#`.
    package var dogTagsStart = 0
    package var dogTagsEnd = 0
    /// True when a `|#` component exists (even if empty).
    package var hasDogTags = false
    /// The DogStatsD container id after `|c:`, without the `c:` (recorded only when it becomes a label).
    package var containerIDStart = 0
    package var containerIDEnd = 0
    /// True when a container id is recorded (``TagDialects/containerIDLabel`` on and a `|c:<id>` component).
    package var hasContainerID = false
    /// The route-cache key span when a container id is recorded: from the first byte of the first of the `#tags` and
    /// `c:<id>` components to the end of the last (so it holds both, and whatever lies between).
    package var keySpanStart = 0
    package var keySpanEnd = 0

    package init() {}
}

/// One sample of a line: the value and how to apply it.
package struct StatsDSample: Sendable, Equatable {
    package var value: Double
    package var type: StatsDType
    /// Gauge only: a leading `+` or `-` makes the value a delta.
    package var relative: Bool
    /// The `@rate` factor in (0, 1]; 1 when absent.
    package var sampleRate: Double
    /// Set only: a hash of the member's bytes (members need not be numbers).
    package var memberHash: UInt64 = 0

    package init(value: Double, type: StatsDType, relative: Bool = false, sampleRate: Double = 1) {
        self.value = value
        self.type = type
        self.relative = relative
        self.sampleRate = sampleRate
    }
}

/// What one line turned out to be, besides metric samples.
package enum StatsDLineKind: Sendable, Equatable {
    case metric
    /// A DogStatsD event (`_e{…}`): recognised, counted, not exported.
    case dogStatsDEvent
    /// A DogStatsD service check (`_sc|…`): recognised, counted, not exported.
    case dogStatsDServiceCheck
    /// An empty line (ignored, not an error).
    case empty
}
