// PhotonTestToken.sol: a plain token for tests of the channel contracts and the hub, with all
// three ways a hub deposits into TokensNetwork (shared/spec/photon.md §2.4, §2.10):
// ERC20 approve + TokensNetwork.deposit (transferFrom), ERC223 transfer(to, value, data) which
// calls to.tokenFallback, and approveAndCall which calls spender.receiveApproval.
//
// Why it is shaped this way:
// - Test-only, not a system contract: the regtest genesis may deploy it so that functional
//   tests have a token besides SMTToken. The constructor mints `supply` to the deployer; a
//   zero supply gives a token that TokensNetwork must refuse to register.
// - ERC20 transfer(to, value) never calls the recipient, even a contract; only the 3-argument
//   ERC223 transfer does. So TokensNetwork's payouts to contract participants cannot fail on a
//   recipient's tokenFallback.
// - Storage: slot 0 totalSupply, 1 balanceOf, 2 allowance, as in ProxyToken, so tests can seed
//   balances in genesis storage.
// Written for spectrumd; not derived from another token's source.
pragma solidity 0.5.17;

interface ERC223Receiver {
    function tokenFallback(address from, uint256 value, bytes calldata data) external returns (bool);
}

interface ApprovalReceiver {
    function receiveApproval(address from, uint256 value, address token, bytes calldata data)
        external returns (bool);
}

contract PhotonTestToken {
    string public constant name = "Photon Test Token";
    string public constant symbol = "PTT";
    uint8 public constant decimals = 18;

    uint256 public totalSupply;                                       // slot 0
    mapping(address => uint256) public balanceOf;                     // slot 1
    mapping(address => mapping(address => uint256)) public allowance; // slot 2

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(uint256 supply) public {
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function move(address from, address to, uint256 value) internal {
        require(to != address(0), "PhotonTestToken: transfer to the zero address");
        uint256 have = balanceOf[from];
        require(have >= value, "PhotonTestToken: insufficient balance");
        balanceOf[from] = have - value;
        balanceOf[to] += value; // cannot overflow: the sum of balances is totalSupply
        emit Transfer(from, to, value);
    }

    function transfer(address to, uint256 value) public returns (bool) {
        move(msg.sender, to, value);
        return true;
    }

    // ERC223: moves the tokens, then, if `to` is a contract, calls to.tokenFallback(sender,
    // value, data), which must return true.
    function transfer(address to, uint256 value, bytes memory data) public returns (bool) {
        move(msg.sender, to, value);
        uint256 size;
        assembly { size := extcodesize(to) }
        if (size > 0) {
            require(ERC223Receiver(to).tokenFallback(msg.sender, value, data),
                    "PhotonTestToken: tokenFallback refused");
        }
        return true;
    }

    function approve(address spender, uint256 value) public returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    // approve, then spender.receiveApproval(sender, value, this, data), which must return true.
    function approveAndCall(address spender, uint256 value, bytes memory data) public returns (bool) {
        approve(spender, value);
        require(ApprovalReceiver(spender).receiveApproval(msg.sender, value, address(this), data),
                "PhotonTestToken: receiveApproval refused");
        return true;
    }

    function transferFrom(address from, address to, uint256 value) public returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= value, "PhotonTestToken: allowance exceeded");
        if (allowed != uint256(-1)) {
            allowance[from][msg.sender] = allowed - value;
        }
        move(from, to, value);
        return true;
    }
}
