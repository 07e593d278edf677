// A parameter with a colon but no type: the parser reports the `)` where the type should
// start. The rest of the file is valid.

use std::io;

use tokio::net::TcpListener;

pub struct Server {
    listener: TcpListener,
}

impl Server {
    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    async fn serve(&mut self, backlog: ) -> io::Result<()> { //~ parse_error
        loop {
            let (_stream, peer) = self.listener.accept().await?;
            tracing::info!(%peer, backlog, "accepted");
        }
    }
}
