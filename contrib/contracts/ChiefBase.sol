// ChiefBase.sol: leader list, round parameters and the gateway to POC for spectrumd's
// TribeChief 1.0.0 (ABI of Spectrum's ChiefBase 1.0.0, spec §8.2).
//
// Why it is shaped this way: the node's consensus rules only let two call pairs run
// unmetered (TribeChief -> ChiefBase and ChiefBase -> POC, spec §6.4), so every POC call that
// the chief makes goes through a wrapper here. The file imports nothing, so the sha256 of
// this file alone identifies the source of the compiled artifact.
// Written for spectrumd from the behaviour described in the spec; not derived from
// Spectrum's Solidity sources.
pragma solidity 0.5.17;

// The part of POC that ChiefBase drives as POC's owner.
interface IPocForBase {
    function ownerStop(address miner) external returns (int8);
    function ownerPushBlackList(address miner) external;
    function ownerEmptyBlackList() external;
    function ownerPushLockList(address miner) external;
    function ownerPopLockList(address miner) external;
    function ownerSetInitBlockNumber(uint256 number) external;
    function changeOwner(address newOwner, uint256 effectiveNumber) external;
    function getBlackList() external view returns (address[] memory);
}

contract ChiefBase {
    uint256 private epoch;
    uint256 private signerLimit;
    uint256 private volunteerLimit;
    uint256 private leaderLimit;

    address private owner;
    address[] private leaderList;
    mapping(address => bool) private leaderMap;

    address private poc;
    address private tribe;
    bool private initBlockNumberSet;

    modifier onlyOwner() {
        require(msg.sender == owner, "ChiefBase: only owner");
        _;
    }

    modifier onlyTribe() {
        require(tribe != address(0) && msg.sender == tribe, "ChiefBase: only chief");
        _;
    }

    // The deployer becomes owner and the first leader (leaderList[0] is the chief's first
    // signer). A round has signerLimit slots: slot 0 for a leader and signerLimit-1 for
    // volunteers.
    constructor(uint256 _epoch, uint256 _signerLimit) public {
        require(_epoch > 0, "ChiefBase: epoch must be > 0");
        require(_signerLimit > 0, "ChiefBase: signerLimit must be > 0");
        epoch = _epoch;
        signerLimit = _signerLimit;
        volunteerLimit = _signerLimit - 1;
        leaderLimit = 5;
        owner = msg.sender;
        leaderList.push(msg.sender);
        leaderMap[msg.sender] = true;
    }

    // Links this base to its POC and its chief; called once, by the chief's constructor
    // (msg.sender == _tribe) or by the owner.
    function init(address _poc, address _tribe) public {
        require(poc == address(0) && tribe == address(0), "ChiefBase: already initialized");
        require(_poc != address(0) && _tribe != address(0), "ChiefBase: zero address");
        require(msg.sender == _tribe || msg.sender == owner, "ChiefBase: only chief or owner");
        poc = _poc;
        tribe = _tribe;
    }

    function setOwner(address newOwner) public onlyOwner {
        require(newOwner != address(0), "ChiefBase: zero address");
        owner = newOwner;
    }

    function takeEpoch() public view returns (uint256) {
        return epoch;
    }

    function takeSignerLimit() public view returns (uint256) {
        return signerLimit;
    }

    function takeLeaderLimit() public view returns (uint256) {
        return leaderLimit;
    }

    function takeVolunteerLimit() public view returns (uint256) {
        return volunteerLimit;
    }

    function takeLeaderList() public view returns (address[] memory) {
        return leaderList;
    }

    function takeOwner() public view returns (address) {
        return owner;
    }

    function isLeader(address addr) public view returns (bool) {
        return leaderMap[addr];
    }

    // Appends a leader at the end of the rotation; at most leaderLimit (5) leaders.
    function appendLeader(address addr) public onlyOwner {
        require(addr != address(0), "ChiefBase: zero address");
        require(!leaderMap[addr], "ChiefBase: already a leader");
        require(leaderList.length < leaderLimit, "ChiefBase: leader limit reached");
        leaderList.push(addr);
        leaderMap[addr] = true;
    }

    // Removes a leader, keeping the order of the others (the chief rotates through the list
    // in order); the last leader cannot be removed.
    function removeLeader(address addr) public onlyOwner {
        require(leaderMap[addr], "ChiefBase: not a leader");
        require(leaderList.length > 1, "ChiefBase: cannot remove the last leader");
        uint256 n = leaderList.length;
        uint256 i = 0;
        while (leaderList[i] != addr) {
            i++;
        }
        for (; i + 1 < n; i++) {
            leaderList[i] = leaderList[i + 1];
        }
        leaderList.pop();
        delete leaderMap[addr];
    }

    // ---- POC wrappers for the chief ------------------------------------------------------

    // Returns POC.ownerStop: -1 unknown miner, 0 already stopped, 1 stopped now.
    function pocAddStop(address miner) public onlyTribe returns (int8) {
        return IPocForBase(poc).ownerStop(miner);
    }

    function pocAddBlackList(address miner) public onlyTribe {
        IPocForBase(poc).ownerPushBlackList(miner);
    }

    function pocCleanBlackList() public onlyTribe {
        IPocForBase(poc).ownerEmptyBlackList();
    }

    function pocAddLockList(address miner) public onlyTribe {
        IPocForBase(poc).ownerPushLockList(miner);
    }

    function pocDelLockList(address miner) public onlyTribe {
        IPocForBase(poc).ownerPopLockList(miner);
    }

    function pocGetBlackList() public view returns (address[] memory) {
        if (poc == address(0)) {
            return new address[](0);
        }
        return IPocForBase(poc).getBlackList();
    }

    // ---- POC administration for the owner ------------------------------------------------

    // Moves the start of POC's minimum-deposit halving schedule; once, to a block that is
    // not in the future.
    function pocSetInitBlockNumber(uint256 number) public onlyOwner {
        require(poc != address(0), "ChiefBase: not initialized");
        require(!initBlockNumberSet, "ChiefBase: init block number already set");
        require(number <= block.number, "ChiefBase: block number in the future");
        initBlockNumberSet = true;
        IPocForBase(poc).ownerSetInitBlockNumber(number);
    }

    // Hands POC to a new owner (a successor ChiefBase) from block effectiveNumber on.
    function pocChangeOwner(address newOwner, uint256 effectiveNumber) public onlyOwner {
        require(poc != address(0), "ChiefBase: not initialized");
        IPocForBase(poc).changeOwner(newOwner, effectiveNumber);
    }
}
