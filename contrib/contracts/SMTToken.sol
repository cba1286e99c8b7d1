// SMTToken.sol: lets channels of TokensNetwork hold the native coin, SMT (shared/spec/photon.md
// §2.10). TokensNetwork only knows tokens; this contract is the token that stands for SMT.
// A user opens or tops up a channel with buyAndTransfer(data), sending the coin along; the
// contract keeps the coin and credits the deposit through TokensNetwork.tokenFallback (ERC223).
// When TokensNetwork pays out (settle, withdraw, cooperative settle) it calls transfer(to,
// value), and the coin goes to `to`.
//
// Why it is shaped this way:
// - The hub and Photon nodes recognise this token by name() == "SMTToken" and then deposit
//   with buyAndTransfer instead of ERC223 transfer / approveAndCall / approve + deposit.
// - Tokens exist only inside TokensNetwork: totalSupply is the coin held for its channels,
//   all of it is TokensNetwork's balance, and only TokensNetwork may transfer. There is no
//   approve / transferFrom, so TokensNetwork.deposit cannot be used with this token (it
//   reverts) and nothing can be stuck in allowances.
// - A payout uses send (2,300 gas), never a call with gas: the recipient cannot re-enter. If
//   the recipient refuses the coin (a contract without a payable fallback), the amount is
//   kept for it in `unclaimed` and transfer still succeeds; otherwise one participant could
//   block the settlement of both. claim(to) pays the unclaimed coin to an address of the
//   owner's choice.
// - Storage: slot 0 tokenNetwork, slot 1 totalSupply, slot 2 unclaimed. The constructor
//   takes the TokensNetwork address; deploy TokensNetwork first.
// Written for spectrumd from the spec; not derived from Photon's Solidity sources.
pragma solidity 0.5.17;

// What this contract needs of TokensNetwork.
interface TokenReceiver {
    function tokenFallback(address from, uint256 value, bytes calldata data) external returns (bool);
}

contract SMTToken {
    string public constant name = "SMTToken";
    string public constant symbol = "SMT";
    uint8 public constant decimals = 18;

    address public tokenNetwork;                  // slot 0
    uint256 public totalSupply;                   // slot 1: coin held for TokensNetwork
    mapping(address => uint256) public unclaimed; // slot 2: payouts the recipient refused

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(address tokens_network) public {
        require(tokens_network != address(0), "SMTToken: zero TokensNetwork");
        tokenNetwork = tokens_network;
    }

    // The token balance: TokensNetwork holds every token, nobody else any.
    function balanceOf(address owner) public view returns (uint256) {
        return owner == tokenNetwork ? totalSupply : 0;
    }

    // Deposits msg.value into a channel: data is TokensNetwork's deposit data (participant,
    // partner, settle_timeout as three 32-byte words). Reverts when TokensNetwork refuses.
    function buyAndTransfer(bytes memory data) public payable {
        require(msg.value > 0, "SMTToken: no coin sent");
        totalSupply += msg.value; // bounded by the coin supply
        emit Transfer(address(0), tokenNetwork, msg.value);
        require(TokenReceiver(tokenNetwork).tokenFallback(msg.sender, msg.value, data),
                "SMTToken: TokensNetwork refused the deposit");
    }

    // Pays `value` of coin to `to`; callable by TokensNetwork only. Returns true; a payout
    // that `to` refuses is kept in unclaimed[to].
    function transfer(address to, uint256 value) public returns (bool) {
        require(msg.sender == tokenNetwork, "SMTToken: only TokensNetwork transfers");
        require(value <= totalSupply, "SMTToken: more than the supply");
        totalSupply -= value;
        emit Transfer(tokenNetwork, to, value);
        if (value > 0 && !address(uint160(to)).send(value)) {
            unclaimed[to] += value;
        }
        return true;
    }

    // Pays the caller's unclaimed coin to `to`.
    function claim(address payable to) public {
        uint256 value = unclaimed[msg.sender];
        require(value > 0, "SMTToken: nothing to claim");
        unclaimed[msg.sender] = 0;
        to.transfer(value);
    }
}
