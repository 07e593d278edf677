//! The second file: an unclosed parameter list, so syn rejects the whole file.

pub async fn half_written(stream: &mut tokio::net::TcpStream {
    let _ = stream;
}
