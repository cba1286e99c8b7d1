// POC.sol: proof-of-capability staking for spectrumd (ABI of Spectrum's POC 1.0.0, spec §8.3).
//
// Why it is shaped this way: a node key stakes through a wallet (the "owner" of the stake):
// the wallet sends the deposit and a signature by the node key over keccak256(wallet), which
// ties the node address (the "miner") to the wallet without the node key ever holding coins.
// Stakers in the normal list are the chief's volunteer candidates (the node reads
// getNormalList). The contract's own owner is ChiefBase, which stops and blacklists miners
// that miss their slot. Each list is an array plus a position map so that membership tests
// are O(1) and the arrays can be returned whole; removal swaps in the last element.
// The file imports nothing, so the sha256 of this file alone identifies the source of the
// compiled artifact. Written for spectrumd from the behaviour described in the spec; not
// derived from Spectrum's Solidity sources.
pragma solidity 0.5.17;

contract POC {
    struct AddrSet {
        address[] list;
        mapping(address => uint256) pos; // index in list + 1; 0 = absent
    }

    struct Miner {
        address owner; // wallet that deposited; 0 = no stake
        uint256 amount;
        uint256 stopBlock; // block of the last stop; 0 while in the normal list
    }

    event Deposit(address miner, address owner, uint256 amount);
    event Stop(address miner);
    event Start(address miner);
    event Withdraw(address miner, address owner, uint256 amount);

    uint256 private initMinDeposit;
    uint256 private withdrawWaitNumber;
    uint256 private depositHalveLimitNumber;
    uint256 private initBlockNumber;

    // Owner history: ownerHistory[k] owns the contract from block ownerHistoryNumbers[k] on.
    address[] private ownerHistory;
    uint256[] private ownerHistoryNumbers;

    mapping(address => Miner) private miners;
    AddrSet private normalSet;
    AddrSet private stopSet;
    AddrSet private blackSet;
    AddrSet private lockSet;

    constructor(address _owner, uint256 _initMinDeposit, uint256 _withdrawWaitNumber,
                uint256 _depositHalveLimitNumber) public {
        require(_owner != address(0), "POC: zero owner");
        require(_depositHalveLimitNumber > 0, "POC: depositHalveLimitNumber must be > 0");
        ownerHistory.push(_owner);
        ownerHistoryNumbers.push(block.number);
        initMinDeposit = _initMinDeposit;
        withdrawWaitNumber = _withdrawWaitNumber;
        depositHalveLimitNumber = _depositHalveLimitNumber;
        initBlockNumber = block.number;
    }

    // ---- helpers -------------------------------------------------------------------------

    function setHas(AddrSet storage s, address a) internal view returns (bool) {
        return s.pos[a] != 0;
    }

    function setAdd(AddrSet storage s, address a) internal returns (bool) {
        if (s.pos[a] != 0) {
            return false;
        }
        s.list.push(a);
        s.pos[a] = s.list.length;
        return true;
    }

    function setRemove(AddrSet storage s, address a) internal returns (bool) {
        uint256 p = s.pos[a];
        if (p == 0) {
            return false;
        }
        uint256 last = s.list.length;
        if (p != last) {
            address moved = s.list[last - 1];
            s.list[p - 1] = moved;
            s.pos[moved] = p;
        }
        s.list.pop();
        delete s.pos[a];
        return true;
    }

    function setClear(AddrSet storage s) internal {
        for (uint256 i = 0; i < s.list.length; i++) {
            delete s.pos[s.list[i]];
        }
        delete s.list;
    }

    // The owner in force at this block: the newest entry whose start block has come.
    function currentOwner() internal view returns (address) {
        uint256 k = ownerHistory.length;
        while (k > 1 && ownerHistoryNumbers[k - 1] > block.number) {
            k--;
        }
        return ownerHistory[k - 1];
    }

    function recoverSigner(bytes32 h, uint8 v, bytes32 r, bytes32 s) internal pure returns (address) {
        if (v < 27) {
            v += 27;
        }
        if (v != 27 && v != 28) {
            return address(0);
        }
        return ecrecover(h, v, r, s);
    }

    modifier onlyOwner() {
        require(msg.sender == currentOwner(), "POC: only owner");
        _;
    }

    modifier onlyMinerOwner(address miner) {
        require(miners[miner].owner != address(0), "POC: unknown miner");
        require(miners[miner].owner == msg.sender, "POC: only the miner's owner");
        _;
    }

    modifier notBlackOrLocked(address miner) {
        require(!setHas(blackSet, miner), "POC: miner is blacklisted");
        require(!setHas(lockSet, miner), "POC: miner is locked");
        _;
    }

    // ---- stakers -------------------------------------------------------------------------

    // initMinDeposit halved once per depositHalveLimitNumber blocks since initBlockNumber,
    // at most three times.
    function minDepositAmount() public view returns (uint256) {
        uint256 halvings = 0;
        if (block.number > initBlockNumber) {
            halvings = (block.number - initBlockNumber) / depositHalveLimitNumber;
        }
        if (halvings > 3) {
            halvings = 3;
        }
        return initMinDeposit / (2 ** halvings);
    }

    // Stakes msg.value for the node whose key signed keccak256(msg.sender) (raw 32-byte
    // hash, no prefix; v may be 27/28 or 0/1). One stake per node; it enters the normal list.
    function deposit(bytes32 r, bytes32 s, uint8 v) public payable {
        require(msg.value >= minDepositAmount(), "POC: deposit below minimum");
        address miner = recoverSigner(keccak256(abi.encodePacked(msg.sender)), v, r, s);
        require(miner != address(0), "POC: bad signature");
        require(miners[miner].owner == address(0), "POC: miner already has a deposit");
        miners[miner] = Miner(msg.sender, msg.value, 0);
        setAdd(normalSet, miner);
        emit Deposit(miner, msg.sender, msg.value);
    }

    function stop(address miner) public onlyMinerOwner(miner) {
        require(setHas(normalSet, miner), "POC: miner is not running");
        stopMiner(miner);
    }

    function start(address miner) public onlyMinerOwner(miner) notBlackOrLocked(miner) {
        require(setHas(stopSet, miner), "POC: miner is not stopped");
        setRemove(stopSet, miner);
        setAdd(normalSet, miner);
        miners[miner].stopBlock = 0;
        emit Start(miner);
    }

    // Returns the whole stake once the miner has been stopped for more than
    // withdrawWaitNumber blocks; the miner's record is then deleted.
    function withdraw(address miner) public onlyMinerOwner(miner) notBlackOrLocked(miner) {
        require(setHas(stopSet, miner), "POC: miner is not stopped");
        require(block.number - miners[miner].stopBlock > withdrawWaitNumber,
                "POC: withdraw wait not over");
        address owner = miners[miner].owner;
        uint256 amount = miners[miner].amount;
        setRemove(stopSet, miner);
        delete miners[miner];
        address(uint160(owner)).transfer(amount);
        emit Withdraw(miner, owner, amount);
    }

    // Returns what the stake holds above the current minimum deposit.
    function withdrawSurplus(address miner) public onlyMinerOwner(miner) notBlackOrLocked(miner) {
        uint256 min = minDepositAmount();
        uint256 amount = miners[miner].amount;
        require(amount > min, "POC: no surplus");
        miners[miner].amount = min;
        address owner = miners[miner].owner;
        address(uint160(owner)).transfer(amount - min);
        emit Withdraw(miner, owner, amount - min);
    }

    function stopMiner(address miner) internal {
        setRemove(normalSet, miner);
        setAdd(stopSet, miner);
        miners[miner].stopBlock = block.number;
        emit Stop(miner);
    }

    // ---- owner (ChiefBase) ---------------------------------------------------------------

    // -1: no such miner, 0: already stopped, 1: stopped now.
    function ownerStop(address miner) public onlyOwner returns (int8) {
        if (miners[miner].owner == address(0)) {
            return -1;
        }
        if (!setHas(normalSet, miner)) {
            return 0;
        }
        stopMiner(miner);
        return 1;
    }

    function ownerPushBlackList(address miner) public onlyOwner {
        setAdd(blackSet, miner);
    }

    function ownerPopBlackList(address miner) public onlyOwner {
        setRemove(blackSet, miner);
    }

    function ownerEmptyBlackList() public onlyOwner {
        setClear(blackSet);
    }

    function ownerPushLockList(address miner) public onlyOwner {
        setAdd(lockSet, miner);
    }

    function ownerPopLockList(address miner) public onlyOwner {
        setRemove(lockSet, miner);
    }

    function ownerSetInitBlockNumber(uint256 number) public onlyOwner {
        require(number <= block.number, "POC: block number in the future");
        initBlockNumber = number;
    }

    // Makes newOwner the owner from block effectiveNumber (>= the current block) on. A change
    // that has not taken effect yet is replaced by a later call.
    function changeOwner(address newOwner, uint256 effectiveNumber) public onlyOwner {
        require(newOwner != address(0), "POC: zero owner");
        require(effectiveNumber >= block.number, "POC: effective number in the past");
        uint256 k = ownerHistory.length;
        if (ownerHistoryNumbers[k - 1] > block.number) {
            ownerHistory[k - 1] = newOwner;
            ownerHistoryNumbers[k - 1] = effectiveNumber;
        } else {
            ownerHistory.push(newOwner);
            ownerHistoryNumbers.push(effectiveNumber);
        }
    }

    // ---- views ---------------------------------------------------------------------------

    function getNormalList() public view returns (address[] memory) {
        return normalSet.list;
    }

    function getStopList() public view returns (address[] memory) {
        return stopSet.list;
    }

    function getBlackList() public view returns (address[] memory) {
        return blackSet.list;
    }

    function getLockList() public view returns (address[] memory) {
        return lockSet.list;
    }

    // The contract owners and the block from which each one is (or will be) in force.
    function getOwnerList() public view returns (address[] memory owners, uint256[] memory numbers) {
        return (ownerHistory, ownerHistoryNumbers);
    }

    // (0, 0, 0) for an address without a stake; stopBlock is 0 while the miner runs.
    function minerStatus(address miner) public view returns (address owner, uint256 amount, uint256 stopBlock) {
        Miner storage m = miners[miner];
        return (m.owner, m.amount, m.stopBlock);
    }

    function blackAndLockStatus(address miner) public view returns (bool black, bool locked) {
        return (setHas(blackSet, miner), setHas(lockSet, miner));
    }

    // Every staked miner, running ones first, then stopped ones. blackStatusList[i] is a bit
    // set: 1 = blacklisted, 2 = locked.
    function getAll() public view returns (address[] memory minerList, uint256[] memory amountList,
                                           uint256[] memory blockList, address[] memory ownerList,
                                           uint256[] memory blackStatusList) {
        uint256 nn = normalSet.list.length;
        uint256 n = nn + stopSet.list.length;
        minerList = new address[](n);
        amountList = new uint256[](n);
        blockList = new uint256[](n);
        ownerList = new address[](n);
        blackStatusList = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            address a = i < nn ? normalSet.list[i] : stopSet.list[i - nn];
            Miner storage m = miners[a];
            minerList[i] = a;
            amountList[i] = m.amount;
            blockList[i] = m.stopBlock;
            ownerList[i] = m.owner;
            blackStatusList[i] = (setHas(blackSet, a) ? 1 : 0) | (setHas(lockSet, a) ? 2 : 0);
        }
    }
}
