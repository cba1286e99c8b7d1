// TribeChief.sol: the Tribe signer schedule for spectrumd (ABI of Spectrum's TribeChief 1.0.0,
// spec §8.1; the block producer calls update(volunteer) as tx 0 of every block, spec §6).
//
// Why it is shaped this way: a round is signerLimit blocks; block n is signed by
// _signerList[n % signerLimit]. Slot 0 holds a leader (leaders take turns round by round),
// the other slots hold the volunteers that the producers of the previous round nominated
// (the node picks them from POC's normal list with the VRF). A signer that misses its slot is
// stopped in POC and blacklisted until the next epoch boundary. Every call to POC goes
// through ChiefBase, because only the pairs chief -> ChiefBase and ChiefBase -> POC run
// unmetered (spec §6.4). The signer list keeps its 0x0 holes: the node reads slot positions.
// The file imports nothing, so the sha256 of this file alone identifies the source of the
// compiled artifact. Written for spectrumd from the behaviour described in the spec; not
// derived from Spectrum's Solidity sources.
pragma solidity 0.5.17;

interface IChiefBase {
    function init(address poc, address tribe) external;
    function takeEpoch() external view returns (uint256);
    function takeSignerLimit() external view returns (uint256);
    function takeVolunteerLimit() external view returns (uint256);
    function takeLeaderList() external view returns (address[] memory);
    function isLeader(address addr) external view returns (bool);
    function pocAddStop(address miner) external returns (int8);
    function pocAddBlackList(address miner) external;
    function pocCleanBlackList() external;
    function pocGetBlackList() external view returns (address[] memory);
}

contract TribeChief {
    string private constant VERSION = "1.0.0";

    address[] public _signerList;
    address[] public _nextRoundSignerList;
    uint256 public blockNumber;

    // How many slots of _signerList hold the address; > 0 may call update.
    mapping(address => uint256) private signersMap;

    IChiefBase private base;

    // Links ChiefBase to POC and to this chief, then opens the first round with the first
    // leader in slot 0 and empty volunteer slots. Both contracts must exist already.
    constructor(address baseAddress, address pocAddress, uint256 startBlockNumber) public {
        base = IChiefBase(baseAddress);
        base.init(pocAddress, address(this));
        uint256 l = base.takeSignerLimit();
        address[] memory leaders = base.takeLeaderList();
        require(l > 0 && leaders.length > 0, "TribeChief: base has no signer slot or leader");
        blockNumber = startBlockNumber;
        addSigner(leaders[0]);
        for (uint256 k = 1; k < l; k++) {
            _signerList.push(address(0));
        }
    }

    function addSigner(address a) private {
        _signerList.push(a);
        if (a != address(0)) {
            signersMap[a] += 1;
        }
    }

    function clearSignerSlot(uint256 i) private {
        address a = _signerList[i];
        if (a != address(0)) {
            signersMap[a] -= 1;
            _signerList[i] = address(0);
        }
    }

    // The leader after `current` in the rotation (wrapping), or the first leader when
    // `current` is no longer one.
    function nextLeader(address current) private view returns (address) {
        address[] memory leaders = base.takeLeaderList();
        for (uint256 k = 0; k < leaders.length; k++) {
            if (leaders[k] == current) {
                return leaders[(k + 1) % leaders.length];
            }
        }
        return leaders[0];
    }

    // Called once per block by its producer (a current signer or a leader): records a
    // volunteer for the next round, punishes the scheduled signer of this slot if someone
    // else produced the block, builds the next round at the last slot, and empties the POC
    // blacklist at each epoch boundary.
    function update(address volunteer) public {
        require(signersMap[msg.sender] > 0 || base.isLeader(msg.sender),
                "TribeChief: caller is neither signer nor leader");
        blockNumber = block.number;
        uint256 l = base.takeSignerLimit();
        uint256 i = block.number % l;
        address si = _signerList[i];

        if (i > 0) {
            if (volunteer != address(0) && _nextRoundSignerList.length < base.takeVolunteerLimit()) {
                _nextRoundSignerList.push(volunteer);
            }
            if (si != address(0) && msg.sender != si) {
                if (base.pocAddStop(si) > 0) {
                    base.pocAddBlackList(si);
                }
                clearSignerSlot(i);
            }
        }

        if (i == l - 1) {
            address signer0 = _signerList[0];
            require(signer0 != address(0), "TribeChief: no leader in slot 0");
            for (uint256 k = 0; k < _signerList.length; k++) {
                clearSignerSlot(k);
            }
            _signerList.length = 0;
            addSigner(nextLeader(signer0));
            for (uint256 k = 0; k < _nextRoundSignerList.length && _signerList.length < l; k++) {
                addSigner(_nextRoundSignerList[k]);
            }
            while (_signerList.length < l) {
                addSigner(address(0));
            }
            _nextRoundSignerList.length = 0;
        }

        if (block.number % base.takeEpoch() == 0) {
            base.pocCleanBlackList();
        }
    }

    // signerList: this round's slots (0x0 = empty); blackList: POC's blacklist;
    // scoreList: zeros; numberList[i]: the block that slot i signs in the round that the next
    // block (blockNumber + 1) belongs to; totalVolunteer: volunteers queued for the next
    // round; number: the block of the last update.
    function getStatus() public view returns (address[] memory signerList, address[] memory blackList,
                                              uint256[] memory scoreList, uint256[] memory numberList,
                                              uint256 totalVolunteer, uint256 number) {
        uint256 n = _signerList.length;
        signerList = _signerList;
        blackList = base.pocGetBlackList();
        scoreList = new uint256[](n);
        numberList = new uint256[](n);
        if (n > 0) {
            uint256 roundStart = (blockNumber + 1) - ((blockNumber + 1) % n);
            for (uint256 k = 0; k < n; k++) {
                numberList[k] = roundStart + k;
            }
        }
        totalVolunteer = _nextRoundSignerList.length;
        number = blockNumber;
    }

    // The volunteers queued for the next round, with zero weights.
    function getVolunteers() public view returns (address[] memory volunteerList, uint256[] memory weightList,
                                                  uint256 length) {
        volunteerList = _nextRoundSignerList;
        weightList = new uint256[](volunteerList.length);
        length = volunteerList.length;
    }

    function getNextRoundSignerList() public view returns (address[] memory) {
        return _nextRoundSignerList;
    }

    function getSignerLimit() public view returns (uint256) {
        return base.takeSignerLimit();
    }

    function getEpoch() public view returns (uint256) {
        return base.takeEpoch();
    }

    function getVolunteerLimit() public view returns (uint256) {
        return base.takeVolunteerLimit();
    }

    function version() public pure returns (string memory) {
        return VERSION;
    }

    // Kept for ABI compatibility with older chiefs; 1.0.0 filters nothing and returns an
    // empty list.
    function filterVolunteer(address[] memory volunteers) public pure returns (uint256[] memory result) {
        volunteers;
        return result;
    }
}
