/// Version of this build of LiveStreamCast, reported by both processes and the admin API.
public enum LiveStreamCast {
    public static let version = "0.1.0"
}
