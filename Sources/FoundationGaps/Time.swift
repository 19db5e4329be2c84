#if canImport(Glibc)
import Glibc
#endif

/// `secondsSince1970` as UTC text through strftime(3), e.g. "%Y-%m-%d %H:%M:%SZ": the C locale's names,
/// whatever the node's LANG and TZ.
public func utcText(_ secondsSince1970: Double, _ format: String) -> String {
    var time = time_t(secondsSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&time, &parts)
    var buffer = [CChar](repeating: 0, count: 128)
    let length = strftime(&buffer, buffer.count, format, &parts)
    return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

