import Foundation

/// A real nginx with libnginx-mod-rtmp on a loopback port, in the foreground (stopped by PID),
/// with its own prefix in a scratch directory.
struct NginxRTMP {
    let process: TestProcess
    let port: Int

    static func modulePath() throws -> String {
        for path in ["/usr/lib/nginx/modules/ngx_rtmp_module.so", "/usr/share/nginx/modules/ngx_rtmp_module.so"]
        where FileManager.default.fileExists(atPath: path) { return path }
        throw ToolError.missing("libnginx-mod-rtmp (ngx_rtmp_module.so)")
    }

    static func start() throws -> NginxRTMP {
        let directory = TestDirectory.make("nginx")
        let port = FreePort.next()
        for sub in ["logs", "tmp"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let conf = """
        load_module \(try modulePath());
        daemon off;
        master_process off;
        worker_processes 1;
        error_log \(directory.path)/logs/error.log info;
        pid \(directory.path)/nginx.pid;
        events { worker_connections 256; }
        rtmp {
            server {
                listen 127.0.0.1:\(port);
                chunk_size 4096;
                application live { live on; }
            }
        }
        """
        let file = directory.appendingPathComponent("nginx.conf")
        try conf.write(to: file, atomically: true, encoding: .utf8)
        let nginx = try TestProcess(try Tools.which("nginx"), ["-p", directory.path, "-c", file.path, "-e", "\(directory.path)/logs/error.log"],
                                    name: "nginx-rtmp")
        try waitUntil("nginx-rtmp listening on \(port)", timeout: 10) { isListening(port: port) }
        return NginxRTMP(process: nginx, port: port)
    }

    func stop() { process.stop() }
}
