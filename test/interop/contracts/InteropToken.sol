// SPDX-License-Identifier: MIT
// InteropToken.sol: a plain ERC20 for the interop tests (test/interop), compiled by solc from
// npm and by hardhat, then deployed on a regtest spectrumd by ethers, web3.js and hardhat.
//
// Why it is shaped this way: it gives every failure path a client library must decode two
// forms, the two that Solidity 0.8 emits:
// - a custom error, InsufficientBalance(holder, available, required), when a transfer asks for
//   more than the sender holds (revert data = selector ‖ ABI-encoded arguments);
// - a require with a reason string, Error(string), for a transfer to the zero address, an
//   allowance overdraft and a mint by anyone but the owner.
// Arithmetic is Solidity 0.8's checked arithmetic. It must compile for evmVersion byzantium,
// the EVM of Spectrum's regtest (SIP004: Byzantium + CHAINID + SELFBALANCE), so it uses no
// block.chainid, no address(this).balance in a view, no CREATE2 and no transient storage.
// Written for spectrumd's tests; not derived from another token's source.
pragma solidity ^0.8.4;

contract InteropToken {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    address public owner;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error InsufficientBalance(address holder, uint256 available, uint256 required);

    constructor(string memory name_, string memory symbol_, uint256 supply) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        _mint(msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= value, "InteropToken: allowance exceeded");
        if (allowed != type(uint256).max) {
            allowance[from][msg.sender] = allowed - value;
        }
        _move(from, to, value);
        return true;
    }

    function mint(address to, uint256 value) external {
        require(msg.sender == owner, "InteropToken: caller is not the owner");
        _mint(to, value);
    }

    function _mint(address to, uint256 value) internal {
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function _move(address from, address to, uint256 value) internal {
        require(to != address(0), "InteropToken: transfer to the zero address");
        uint256 have = balanceOf[from];
        if (have < value) {
            revert InsufficientBalance(from, have, value);
        }
        unchecked {
            balanceOf[from] = have - value;
        }
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
