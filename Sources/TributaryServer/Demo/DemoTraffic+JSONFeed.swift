#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension DemoTraffic {
    /// The JSON-feed half of the demo for one 100 ms step: a background job queue, typed and labelled, with
    /// explicit histogram buckets, help text and exemplars — what StatsD cannot carry.
    package mutating func nextJSONLines() -> [String] {
        var lines: [String] = []
        let jobs = 1 + Int(self.random.uniform() * 4)
        var durations: [String] = []
        for _ in 0..<jobs {
            let slowFactor = self.scenario == .slow ? 6.0 : 1.0
            durations.append(Self.jsonNumber(0.08 * slowFactor * exp(self.random.gaussian() * 0.5)))
        }
        let traceID = String(self.random.next(), radix: 16) + String(self.random.next(), radix: 16)
        let failed = self.scenario == .errors && self.random.uniform() < 0.3 ? 1 : 0
        lines.append(
            #"{"name":"jobs_processed_total","type":"counter","value":\#(jobs - failed),"labels":{"queue":"emails","outcome":"ok"},"help":"Background jobs processed."}"#)
        if failed > 0 {
            lines.append(
                #"{"name":"jobs_processed_total","type":"counter","value":\#(failed),"labels":{"queue":"emails","outcome":"failed"}}"#)
        }
        lines.append(
            #"{"name":"job_duration_seconds","type":"histogram","value":[\#(durations.joined(separator: ","))],"labels":{"queue":"emails"},"buckets":[0.01,0.05,0.1,0.25,0.5,1,2.5],"help":"Time to run one background job.","exemplar":{"trace_id":"\#(traceID)"}}"#)
        let depth = max(0, 20 + Int(self.random.gaussian() * 5) + (self.scenario == .slow ? 200 : 0))
        lines.append(#"{"name":"job_queue_depth","type":"gauge","value":\#(depth),"labels":{"queue":"emails"},"help":"Jobs waiting."}"#)
        return lines
    }

    private static func jsonNumber(_ value: Double) -> String {
        "\((value * 100_000).rounded() / 100_000)"
    }
}
