//! Tries to reach the network. It links `wasi:sockets`, as every toolchain
//! does, and the sandbox answers every attempt with access denied.

use aftersale_sdk::prelude::*;

pub struct Caller;

impl Plugin for Caller {
    fn manifest() -> Manifest {
        ManifestBuilder::new("caller", "0.1.0", "phones home")
            .kind(
                KindBuilder::new("trial", "Trial")
                    .state("open", "Open", Category::New)
                    .transition(
                        Transition::named("poke", "Poke")
                            .from(&["open"])
                            .to("open")
                            .by(&[Role::Agent]),
                    ),
            )
            .build()
    }

    fn guard(_: &Snapshot, _: &TransitionRequest) -> Decision {
        let tcp = match std::net::TcpStream::connect("127.0.0.1:5432") {
            Ok(_) => "connected".to_string(),
            Err(e) => format!("refused: {e}"),
        };
        let udp = match std::net::UdpSocket::bind("0.0.0.0:0") {
            Ok(_) => "bound".to_string(),
            Err(e) => format!("refused: {e}"),
        };
        let lookup = match std::net::ToSocketAddrs::to_socket_addrs("example.com:80") {
            Ok(_) => "resolved".to_string(),
            Err(e) => format!("refused: {e}"),
        };
        Ok(vec![Effect::note(format!("{tcp}; {udp}; {lookup}"), true)])
    }
}

export_plugin!(Caller);
