import TributaryCore

/// Everything the command line decides, in one value.
package struct TributaryConfiguration: Sendable {
    package var statsd: StatsDListenerConfiguration
    /// The JSON feed listeners (off unless a path is given).
    package var json: JSONFeedConfiguration
    package var webListenAddress: ListenAddress
    package var telemetryPath: String
    package var enableLifecycle: Bool
    /// `--web.enable-openmetrics`: serve OpenMetrics to scrapers that ask for it.
    package var enableOpenMetrics = false
    package var mappingConfigPath: String?
    package var aggregation: AggregationSettings
    /// How often TTL expiry runs, in seconds.
    package var expiryIntervalSeconds: Double

    package init(
        statsd: StatsDListenerConfiguration, webListenAddress: ListenAddress, telemetryPath: String = "/metrics",
        enableLifecycle: Bool = false, mappingConfigPath: String? = nil, aggregation: AggregationSettings = AggregationSettings(),
        expiryIntervalSeconds: Double = 1, json: JSONFeedConfiguration = JSONFeedConfiguration()
    ) {
        self.statsd = statsd
        self.json = json
        self.webListenAddress = webListenAddress
        self.telemetryPath = telemetryPath
        self.enableLifecycle = enableLifecycle
        self.mappingConfigPath = mappingConfigPath
        self.aggregation = aggregation
        self.expiryIntervalSeconds = expiryIntervalSeconds
    }
}
