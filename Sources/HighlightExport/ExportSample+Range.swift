extension Array where Element == ExportSample {
    /// The samples `ExportSampleSource.samples(track:from:to:)` returns, from a track's samples in
    /// decode order: from the last sync sample decoded at or before `start` (the first sample if
    /// none) through the last sample decoded before `end`.
    public func exportRange(from start: Int64, to end: Int64) -> [ExportSample] {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].decodeTime <= start { low = middle + 1 } else { high = middle }
        }
        var first = Swift.max(0, low - 1)
        while first > 0, !self[first].isSync { first -= 1 }
        var last = first
        while last < count, self[last].decodeTime < end { last += 1 }
        return Array(self[first..<last])
    }
}
