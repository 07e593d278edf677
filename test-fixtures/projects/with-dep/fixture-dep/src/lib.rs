//! A dependency that documents the cancel safety of its own API. Nothing in the built-in
//! knowledge base knows these types: only their docs say what a raced call loses.

/// A packet connection.
pub struct Wire {
    pending: Vec<u8>,
}

impl Wire {
    /// Receives the next packet.
    ///
    /// # Cancel safety
    ///
    /// This method is not cancel safe: a partly received packet is lost.
    pub async fn recv_packet(&mut self) -> Option<Vec<u8>> {
        Some(std::mem::take(&mut self.pending))
    }
}

/// A line reader that keeps a partly read line inside itself.
pub struct Lines {
    partial: String,
}

impl Lines {
    /// Appends the next line to `buf`, like tokio's `read_line`, but keeps a partly read line
    /// in the reader.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe.
    pub async fn read_line(&mut self, buf: &mut String) -> Option<usize> {
        buf.push_str(&self.partial);
        Some(buf.len())
    }
}
