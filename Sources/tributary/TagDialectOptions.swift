import ArgumentParser
import TributaryCore

/// statsd_exporter's `--[no-]statsd.parse-*-tags` flags, shared by `tributary` and `tributary explain`.
struct TagDialectOptions: ParsableArguments {
    @Flag(name: .customLong("statsd.parse-dogstatsd-tags"), inversion: .prefixedNo, help: "Parse DogStatsD style tags.")
    var parseDogStatsDTags = true

    @Flag(name: .customLong("statsd.parse-influxdb-tags"), inversion: .prefixedNo, help: "Parse InfluxDB style tags.")
    var parseInfluxDBTags = true

    @Flag(name: .customLong("statsd.parse-librato-tags"), inversion: .prefixedNo, help: "Parse Librato style tags.")
    var parseLibratoTags = true

    @Flag(name: .customLong("statsd.parse-signalfx-tags"), inversion: .prefixedNo, help: "Parse SignalFX style tags.")
    var parseSignalFXTags = true

    @Flag(
        name: .customLong("statsd.container-id-label"), inversion: .prefixedNo,
        help: "Export the DogStatsD container id (|c:<id>) as the label container_id, as statsd_exporter 0.29+.")
    var containerIDLabel = true

    var dialects: TagDialects {
        TagDialects(
            dogStatsD: self.parseDogStatsDTags, influxDB: self.parseInfluxDBTags, librato: self.parseLibratoTags,
            signalFX: self.parseSignalFXTags, containerIDLabel: self.containerIDLabel)
    }
}
