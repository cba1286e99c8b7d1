// MeshBox.sol: the registry of MeshBox devices for spectrumd (ABI of Spectrum's MeshBox 0.0.2,
// spec §9). Before SIP100 a node whose address has existAddress(...) > 0 may mine without a
// balance; the node only ever compares the stored value with > 0.
//
// Why it is shaped this way: the owner (the deployer) maintains the list in batches; each
// address maps to a non-zero value (a weight or device version) and sits in an array so that
// getMeshboxList can return all of them; removal swaps in the last element.
// The file imports nothing, so the sha256 of this file alone identifies the source of the
// compiled artifact. Written for spectrumd from the behaviour described in the spec; not
// derived from Spectrum's Solidity sources.
pragma solidity 0.5.17;

contract MeshBox {
    string private constant VERSION = "0.0.2";

    address private owner;
    address[] private meshboxList;
    mapping(address => uint256) private values; // 0 = not registered
    mapping(address => uint256) private pos; // index in meshboxList + 1

    modifier onlyOwner() {
        require(msg.sender == owner, "MeshBox: only owner");
        _;
    }

    constructor() public {
        owner = msg.sender;
    }

    // Registers each address with `value` (> 0), or updates the value of a registered one.
    function addAddress(address[] memory addrs, uint256 value) public onlyOwner {
        require(value > 0, "MeshBox: value must be > 0");
        for (uint256 i = 0; i < addrs.length; i++) {
            address a = addrs[i];
            if (pos[a] == 0) {
                meshboxList.push(a);
                pos[a] = meshboxList.length;
            }
            values[a] = value;
        }
    }

    // Unregisters each address; unknown ones are skipped.
    function delAddress(address[] memory addrs) public onlyOwner {
        for (uint256 i = 0; i < addrs.length; i++) {
            address a = addrs[i];
            uint256 p = pos[a];
            if (p == 0) {
                continue;
            }
            uint256 last = meshboxList.length;
            if (p != last) {
                address moved = meshboxList[last - 1];
                meshboxList[p - 1] = moved;
                pos[moved] = p;
            }
            meshboxList.pop();
            delete pos[a];
            delete values[a];
        }
    }

    // The value stored for addr; 0 when it is not registered.
    function existAddress(address addr) public view returns (uint256) {
        return values[addr];
    }

    function getMeshboxList() public view returns (address[] memory) {
        return meshboxList;
    }

    function version() public pure returns (string memory) {
        return VERSION;
    }
}
