use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:7000").await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let (_commands, rx) = tokio::sync::mpsc::channel(16);
        tokio::spawn(demo::count_bytes(stream, rx));
    }
}
