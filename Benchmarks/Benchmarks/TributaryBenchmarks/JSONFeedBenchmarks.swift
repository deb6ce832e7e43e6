import Benchmark
import TributaryCore

/// JSON feed benchmarks: stream chunks of known series applied to a warm shard, as single-object lines and as
/// batch lines (arrays of objects). `mallocCountTotal` per chunk should stay at 0 (the harness's 16 aside).
func jsonFeedBenchmarks() {
    let objects = (0..<1000).map { index in
        #"{"name":"http_request_duration_seconds","type":"histogram","value":0.042,"#
            + #""labels":{"route":"/api/users/\#(index)","method":"GET","status_code":"200"}}"#
    }
    // 40 objects per chunk: 40 lines, or one line holding a batch of 40.
    let lineChunks = stride(from: 0, to: objects.count, by: 40).map { start in
        Array(objects[start..<start + 40].joined(separator: "\n").utf8)
    }
    let batchChunks = stride(from: 0, to: objects.count, by: 40).map { start in
        Array(("[" + objects[start..<start + 40].joined(separator: ",") + "]").utf8)
    }
    for (chunks, label) in [(lineChunks, "40 lines"), (batchChunks, "1 batch line of 40")] {
        let shard = AggregationShard()
        for chunk in chunks { chunk.withUnsafeBytes { shard.applyJSON(lines: $0, now: 0) } }
        Benchmark(
            "Apply JSON chunk x1000 (\(label) histogram objects, 1000 warm series)",
            configuration: .init(scalingFactor: .kilo)
        ) { benchmark in
            var index = 0
            for _ in benchmark.scaledIterations {
                chunks[index].withUnsafeBytes { shard.applyJSON(lines: $0, now: 0) }
                index = index + 1 == chunks.count ? 0 : index + 1
            }
        }
    }
}
