// ProxyToken.sol: an ERC20 token with delegated gas payment, the SMT papers' "signature-
// authorized proxy payment". A holder who owns no SMT for gas signs (from, to, value, fee,
// nonce) off-chain; anyone (a relayer, e.g. spectrumd itself) submits transferProxy with that
// signature, pays the gas in SMT, and is paid `fee` in this token.
//
// Why it is shaped this way:
// - The signed message is keccak256(token address ‖ from ‖ to ‖ value ‖ fee ‖ nonce), packed,
//   then wrapped in the "\x19Ethereum Signed Message:\n32" prefix, so any wallet's eth_sign /
//   personal_sign can authorize a transfer, and a signature for one token contract is worth
//   nothing on another. Byzantium has no CHAINID (spec §6.6), so a token deployed at the same
//   address on two chains would accept the same signature on both: deploy from a key whose
//   nonce differs across chains, or use a fresh key per chain (doc/rpc.md says so).
// - One nonce per holder (proxyNonce), consumed in order: a signature is valid exactly once,
//   and a holder can cancel one in flight by using its nonce in another transfer.
// - The state layout is fixed and documented (slot 0 totalSupply, 1 balanceOf, 2 allowance,
//   3 proxyNonce; name, symbol and decimals are constants): the benchmarks and tests seed
//   balances straight into genesis storage.
// - ERC20 as EIP-20 says, with transfer/transferFrom returning true and reverting on failure.
// Written for spectrumd; not derived from another token's source.
pragma solidity 0.5.17;

contract ProxyToken {
    string public constant name = "Spectrum Proxy Token";
    string public constant symbol = "SPT";
    uint8 public constant decimals = 18;

    uint256 public totalSupply;                                     // slot 0
    mapping(address => uint256) public balanceOf;                   // slot 1
    mapping(address => mapping(address => uint256)) public allowance; // slot 2
    mapping(address => uint256) public proxyNonce;                  // slot 3

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    // Mints `supply` to the deployer.
    constructor(uint256 supply) public {
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function move(address from, address to, uint256 value) internal {
        require(to != address(0), "ProxyToken: transfer to the zero address");
        uint256 have = balanceOf[from];
        require(have >= value, "ProxyToken: insufficient balance");
        balanceOf[from] = have - value;
        balanceOf[to] += value; // cannot overflow: the sum of balances is totalSupply
        emit Transfer(from, to, value);
    }

    function transfer(address to, uint256 value) public returns (bool) {
        move(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) public returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) public returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= value, "ProxyToken: allowance exceeded");
        if (allowed != uint256(-1)) {
            allowance[from][msg.sender] = allowed - value;
        }
        move(from, to, value);
        return true;
    }

    // The hash a holder signs (with the eth_sign prefix) to authorize transferProxy.
    function proxyHash(address from, address to, uint256 value, uint256 fee, uint256 nonce)
        public view returns (bytes32)
    {
        bytes32 h = keccak256(abi.encodePacked(address(this), from, to, value, fee, nonce));
        return keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", h));
    }

    // Moves `value` from `from` to `to` and `fee` from `from` to the submitter, on the
    // strength of from's signature over proxyHash(from, to, value, fee, proxyNonce[from]).
    function transferProxy(address from, address to, uint256 value, uint256 fee,
                           uint8 v, bytes32 r, bytes32 s) public returns (bool) {
        uint256 nonce = proxyNonce[from];
        if (v < 27) {
            v += 27;
        }
        require(v == 27 || v == 28, "ProxyToken: bad signature v");
        // EIP-2: a high-s signature has a twin; refuse it so that one authorization has
        // one encoding.
        require(uint256(s) <= 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0,
                "ProxyToken: high s");
        address signer = ecrecover(proxyHash(from, to, value, fee, nonce), v, r, s);
        require(signer != address(0) && signer == from, "ProxyToken: not signed by from");
        uint256 total = value + fee;
        require(total >= value, "ProxyToken: value + fee overflows");
        proxyNonce[from] = nonce + 1;
        move(from, to, value);
        if (fee > 0) {
            move(from, msg.sender, fee);
        }
        return true;
    }
}
