import Foundation
import Testing
@testable import EditorPage

@Suite struct EditorSiteTests {
    let site = EditorSite(assets: EditorAssets(files: [
        "index.html": Array("<!doctype html><title>t</title>".utf8),
        "js/app.js": Array("export {}".utf8),
        "app.css": Array("body{}".utf8),
    ]))

    @Test func rootRedirectsToTheEditor() throws {
        let response = try #require(site.respond(method: "GET", path: "/"))
        #expect(response.status == 302)
        #expect(response.headers["Location"] == "/editor/")
        #expect(site.respond(method: "GET", path: "/editor")?.headers["Location"] == "/editor/")
    }

    @Test func indexAndFilesCarryTypeAndPolicy() throws {
        let index = try #require(site.respond(method: "GET", path: "/editor/"))
        #expect(index.status == 200)
        #expect(index.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(String(decoding: index.body, as: UTF8.self).contains("<title>t</title>"))
        let policy = try #require(index.headers["Content-Security-Policy"])
        #expect(policy.contains("script-src 'self'"))
        #expect(!policy.contains("unsafe-inline"))
        #expect(!policy.contains("unsafe-eval"))
        #expect(index.headers["X-Content-Type-Options"] == "nosniff")
        #expect(site.respond(method: "GET", path: "/editor/js/app.js")?.headers["Content-Type"] == "text/javascript; charset=utf-8")
        #expect(site.respond(method: "HEAD", path: "/editor/app.css")?.headers["Content-Type"] == "text/css; charset=utf-8")
    }

    @Test func otherPathsAreLeftToTheAPI() {
        #expect(site.respond(method: "GET", path: "/api/v1/node") == nil)
        #expect(site.respond(method: "POST", path: "/api/v1/exports") == nil)
        #expect(site.respond(method: "GET", path: "/metrics") == nil)
        #expect(site.respond(method: "GET", path: "/editorial") == nil)
    }

    @Test func unknownAndEscapingNamesAreNotFound() {
        for path in ["/editor/missing.js", "/editor/../Package.swift", "/editor/%2e%2e/x", "/editor//etc/passwd", "/editor/js/"] {
            #expect(site.respond(method: "GET", path: path)?.status == 404, "\(path)")
        }
    }

    @Test func writesAreRefused() throws {
        let response = try #require(site.respond(method: "POST", path: "/editor/index.html"))
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET, HEAD")
        #expect(site.respond(method: "DELETE", path: "/")?.status == 405)
    }

    @Test func revalidationByETag() throws {
        let first = try #require(site.respond(method: "GET", path: "/editor/app.css"))
        let etag = try #require(first.headers["ETag"])
        #expect(first.headers["Cache-Control"] == "no-cache")
        let again = try #require(site.respond(method: "GET", path: "/editor/app.css", headers: ["If-None-Match": "\"x\", " + etag]))
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
        #expect(site.respond(method: "GET", path: "/editor/app.css", headers: ["if-none-match": "\"other\""])?.status == 200)
    }

    /// The page built into the binary is complete: index.html, and every file it or a module
    /// refers to (`src`, `href`, `import ... from`) is there.
    @Test func bundledPageIsSelfContained() throws {
        let files = EditorAssets.bundled.files
        let index = try #require(files["index.html"])
        var missing: [String] = []
        var queue = [("index.html", String(decoding: index.body, as: UTF8.self))]
        var seen: Set<String> = ["index.html"]
        let pattern = try Regex(##"(?:src|href)="([^"#:?]+)"|from\s+'([^']+)'|import\s+'([^']+)'"##)
        while let (path, text) = queue.popLast() {
            let directory = path.split(separator: "/").dropLast().joined(separator: "/")
            for match in text.matches(of: pattern) {
                guard let reference = (match.output[1].substring ?? match.output[2].substring ?? match.output[3].substring).map(String.init)
                else { continue }
                let resolved = Self.resolve(reference, from: directory)
                guard seen.insert(resolved).inserted else { continue }
                if let file = files[resolved] {
                    if resolved.hasSuffix(".js") { queue.append((resolved, String(decoding: file.body, as: UTF8.self))) }
                } else {
                    missing.append("\(path) -> \(reference)")
                }
            }
        }
        #expect(missing.isEmpty)
        #expect(!String(decoding: index.body, as: UTF8.self).contains("<script>"), "no inline scripts")
        #expect(!String(decoding: index.body, as: UTF8.self).contains("style="), "no inline styles")
    }

    static func resolve(_ reference: String, from directory: String) -> String {
        var parts = reference.hasPrefix("/editor/") ? [] : directory.split(separator: "/").map(String.init)
        let trimmed = reference.hasPrefix("/editor/") ? String(reference.dropFirst("/editor/".count)) : reference
        for part in trimmed.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }
}
