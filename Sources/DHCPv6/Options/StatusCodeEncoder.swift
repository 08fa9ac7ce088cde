/// Writes a Status Code option (13): 2-byte code and a UTF-8 message.
enum StatusCodeEncoder {
    static func write(_ code: DHCPv6StatusCode, into w: inout WireWriter) {
        let start = w.beginOption(DHCPv6OptionCode.statusCode)
        w.u16(code.rawValue)
        w.text(code.message)
        w.endOption(start)
    }
}
