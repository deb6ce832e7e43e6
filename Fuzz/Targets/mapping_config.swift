// libFuzzer target: one input = a mapping YAML file. Loading must fail with a MappingConfigError or succeed;
// a loaded mapper then maps a few names of each type.
import TributaryCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMappingConfig(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    guard let mapper = try? CompiledMapper.load(yaml: text) else { return 0 }
    for name in ["a", "a.b.c", "x.y", "", "r_abc_12", "very.long.name.with.many.segments.to.match"] {
        for type in [StatsDType.counter, .gauge, .timer, .histogram, .distribution, .set] {
            _ = mapper.map(name: name, type: type)
        }
    }
    return 0
}
