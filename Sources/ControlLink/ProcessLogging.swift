import Logging

/// How both processes of a node log: every component (`relay`, `relay.pull`, `control.link`,
/// `api`, …) to standard error at one level.
public enum ProcessLogging {
    /// Installs the process's log handler (once, at start-up).
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
