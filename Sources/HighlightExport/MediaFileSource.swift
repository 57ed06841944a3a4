import ISOBMFF
import Recording

/// Opens an on-demand file as an export source: FLV by its `.flv` extension, MP4/F4V otherwise.
public enum MediaFileSource {
    /// The source for the file at `path`; nil when there is no such file.
    public static func open(files: any DVRFileSystem, path: String) throws -> (any ExportSampleSource)? {
        guard let size = files.fileSize(path) else { return nil }
        // Samples are read one by one: read the file ahead in blocks.
        let reader = ReadAheadByteReader(FileSystemByteReader(files: files, path: path, size: size))
        if path.lowercased().hasSuffix(".flv") { return try FLVClipSource(reader: reader) }
        return MP4ClipSource(movie: try MP4Reader().read(reader), reader: reader)
    }
}
