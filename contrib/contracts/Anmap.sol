// Anmap.sol: node address -> wallet binding for spectrumd (ABI of Spectrum's Anmap 0.0.1,
// spec §9). A producer looks up bindInfo(nodeAddress).from and uses it as header.coinbase,
// so rewards and fees go to a wallet rather than to the node key.
//
// Why it is shaped this way: the wallet sends the transaction and proves that the node agrees
// with a signature by the node key over keccak256(wallet) (raw 32-byte hash of the 20-byte
// address, no prefix; the same signature tribe_bindSign returns), so neither side can be
// bound without the other. A node has at most one wallet; a wallet may hold several nodes.
// The file imports nothing, so the sha256 of this file alone identifies the source of the
// compiled artifact. Written for spectrumd from the behaviour described in the spec; not
// derived from Spectrum's Solidity sources.
pragma solidity 0.5.17;

contract Anmap {
    mapping(address => address) private walletOf; // node -> wallet
    mapping(address => address[]) private nodesOf; // wallet -> nodes, in bind order

    function recoverSigner(bytes32 h, uint8 v, bytes32 r, bytes32 s) internal pure returns (address) {
        if (v < 27) {
            v += 27;
        }
        if (v != 27 && v != 28) {
            return address(0);
        }
        return ecrecover(h, v, r, s);
    }

    function checkNodeSig(address nodePub, uint8 v, bytes32 r, bytes32 s) internal view {
        require(nodePub != address(0), "Anmap: zero node address");
        require(recoverSigner(keccak256(abi.encodePacked(msg.sender)), v, r, s) == nodePub,
                "Anmap: signature is not by the node key over keccak256(sender)");
    }

    // Binds nodePub to msg.sender; nodePub must not be bound already.
    function bind(address nodePub, uint8 v, bytes32 r, bytes32 s) public {
        checkNodeSig(nodePub, v, r, s);
        require(walletOf[nodePub] == address(0), "Anmap: node already bound");
        walletOf[nodePub] = msg.sender;
        nodesOf[msg.sender].push(nodePub);
    }

    // Removes the binding of nodePub to msg.sender; needs the same kind of signature.
    function unbindBySig(address nodePub, uint8 v, bytes32 r, bytes32 s) public {
        checkNodeSig(nodePub, v, r, s);
        require(walletOf[nodePub] == msg.sender, "Anmap: node not bound to sender");
        delete walletOf[nodePub];
        address[] storage nodes = nodesOf[msg.sender];
        uint256 n = nodes.length;
        uint256 i = 0;
        while (nodes[i] != nodePub) {
            i++;
        }
        for (; i + 1 < n; i++) {
            nodes[i] = nodes[i + 1];
        }
        nodes.pop();
    }

    // For a bound node or a wallet holding nodes: (wallet, the wallet's nodes);
    // otherwise (0x0, []).
    function bindInfo(address addr) public view returns (address from, address[] memory nids) {
        address w = walletOf[addr];
        if (w == address(0) && nodesOf[addr].length > 0) {
            w = addr;
        }
        if (w == address(0)) {
            return (address(0), new address[](0));
        }
        return (w, nodesOf[w]);
    }
}
