extension JSONWriter {
    /// The last fields of both engines' analytics events (docs/events.md): `match_method`,
    /// `extractor_used`, `success`, `failure_reason`, then the end of the object.
    public mutating func eventResult(match: ReservationMatch?, success: Bool, failureReason: String?) {
        field("match_method", match?.method.rawValue)
        field("extractor_used", match?.extractor)
        field("success", success)
        field("failure_reason", failureReason)
        endObject()
    }
}
