// MeshBoxRegistry.sol: the MeshBox registry of spectrumd's contribution weighting
// (doc/meshbox.md): MeshBox 0.0.2's owner-kept list of boxes (same ABI, spec §9), plus
// clients that lock a deposit, signed service receipts that providers report in batches,
// and per-(provider, epoch) contribution totals that the node reads to weight its draw.
//
// Why it is shaped this way: the node must be able to compute every weight from one view
// at the parent state, so the contract keeps the totals ready per (provider, epoch) and
// getEpochTotals returns the whole list with them; the list is bounded (maxBoxes) so that
// read is bounded. Faking contribution must cost locked deposits in proportion to the
// weight gained, so a receipt counts only when a registered client signed it for exactly
// this chain, provider, epoch and cumulative amount, and a client's units over all
// providers are capped per epoch. Receipts are cumulative: the latest, largest one of a
// (provider, client, epoch) replaces the earlier, so a provider may report early and often
// and a replay is recognised by its amount. A batch is for one provider and one epoch, and
// the checks that concern the whole batch revert it, while a bad receipt is only skipped
// with an event, so one stale receipt never costs a provider its batch. The parameters are
// set at construction and never change, so a node can check them once. Byzantium has no
// CHAINID, hence the chainId parameter. The file imports nothing, so the sha256 of this
// file alone identifies the source of the compiled artifact. Written for spectrumd; not
// derived from Spectrum's Solidity sources.
pragma solidity 0.5.17;

contract MeshBoxRegistry {
    string private constant VERSION = "1.0.0";
    // 0x19 ‖ "Spectrum MeshBox Receipt:" ‖ 0x0a, 27 bytes, no length after it.
    string private constant RECEIPT_PREFIX = "\x19Spectrum MeshBox Receipt:\n";
    uint256 private constant MAX_BOXES = 1024;
    uint256 private constant MAX_BATCH = 100;
    uint256 private constant MAX_UNIT_CAP = 2**128;
    // secp256k1 n / 2: a signature with a larger s is the high-s twin and is refused.
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    // ReceiptRefused reasons (doc/meshbox.md §3.4), in the order they are checked.
    uint8 private constant REFUSED_SELF = 1;
    uint8 private constant REFUSED_SIGNATURE = 2;
    uint8 private constant REFUSED_CLIENT = 3;
    uint8 private constant REFUSED_REPLAY = 4;
    uint8 private constant REFUSED_CAP = 5;

    struct Client {
        uint256 deposit; // 0 = not registered
        uint64 registeredEpoch;
        uint64 deregisteredEpoch; // meaningful when deregistered
        bool deregistered;
    }

    event AddressAdded(address indexed meshbox, uint256 value);
    event AddressRemoved(address indexed meshbox);
    event ClientRegistered(address indexed client, uint256 deposit, uint256 epoch);
    event ClientDeregistered(address indexed client, uint256 epoch, uint256 withdrawEpoch);
    event ClientWithdrawn(address indexed client, uint256 amount);
    event ReceiptAccepted(address indexed provider, address indexed client, uint256 epoch, uint256 units,
                          uint256 providerTotal);
    event ReceiptRefused(address indexed provider, address indexed client, uint256 epoch, uint256 units,
                         uint8 reason);
    event Reported(address indexed provider, uint256 epoch, address submitter, uint256 accepted,
                   uint256 refused);

    address public owner;
    uint256 public chainId;
    uint256 public epochLength;
    uint256 public clientDeposit;
    uint256 public unitCap;

    address[] private meshboxList;
    mapping(address => uint256) private values; // 0 = not a MeshBox
    mapping(address => uint256) private pos; // index in meshboxList + 1

    mapping(address => Client) private clients;
    // provider => client => epoch => units of the latest accepted receipt
    mapping(address => mapping(address => mapping(uint256 => uint256))) private receipts;
    // client => epoch => accepted units over all providers (<= unitCap)
    mapping(address => mapping(uint256 => uint256)) private clientTotals;
    // provider => epoch => accepted units over all clients: the contribution c_p(epoch)
    mapping(address => mapping(uint256 => uint256)) private providerTotals;

    modifier onlyOwner() {
        require(msg.sender == owner, "MeshBoxRegistry: only owner");
        _;
    }

    constructor(uint256 _chainId, uint256 _epochLength, uint256 _clientDeposit, uint256 _unitCap) public {
        require(_chainId > 0, "MeshBoxRegistry: chainId must be > 0");
        require(_epochLength > 0, "MeshBoxRegistry: epochLength must be > 0");
        require(_clientDeposit > 0, "MeshBoxRegistry: clientDeposit must be > 0");
        require(_unitCap > 0 && _unitCap <= MAX_UNIT_CAP, "MeshBoxRegistry: unitCap out of range");
        owner = msg.sender;
        chainId = _chainId;
        epochLength = _epochLength;
        clientDeposit = _clientDeposit;
        unitCap = _unitCap;
    }

    // ---- MeshBox 0.0.2 -------------------------------------------------------------------

    // Registers each address with `value` (> 0), or updates the value of a registered one.
    // The value is a label; it never weights anything.
    function addAddress(address[] memory addrs, uint256 value) public onlyOwner {
        require(value > 0, "MeshBoxRegistry: value must be > 0");
        for (uint256 i = 0; i < addrs.length; i++) {
            address a = addrs[i];
            require(a != address(0), "MeshBoxRegistry: zero address");
            if (pos[a] == 0) {
                require(meshboxList.length < MAX_BOXES, "MeshBoxRegistry: list is full");
                meshboxList.push(a);
                pos[a] = meshboxList.length;
            }
            values[a] = value;
            emit AddressAdded(a, value);
        }
    }

    // Unregisters each address; unknown ones are skipped. The last element fills the gap.
    // The totals of a removed box stay recorded (and reappear if it is added again).
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
            emit AddressRemoved(a);
        }
    }

    // The value stored for addr; 0 when it is not a MeshBox.
    function existAddress(address addr) public view returns (uint256) {
        return values[addr];
    }

    function getMeshboxList() public view returns (address[] memory) {
        return meshboxList;
    }

    function version() public pure returns (string memory) {
        return VERSION;
    }

    // ---- parameters and epochs -------------------------------------------------------------

    function maxBoxes() public pure returns (uint256) {
        return MAX_BOXES;
    }

    function maxBatch() public pure returns (uint256) {
        return MAX_BATCH;
    }

    function epochOf(uint256 number) public view returns (uint256) {
        return number / epochLength;
    }

    function currentEpoch() public view returns (uint256) {
        return block.number / epochLength;
    }

    // ---- clients -------------------------------------------------------------------------

    // Makes the sender a client from the current epoch on, locking msg.value (at least
    // clientDeposit). One registration per address at a time.
    function register() public payable {
        Client storage c = clients[msg.sender];
        require(c.deposit == 0, "MeshBoxRegistry: already registered");
        require(msg.value >= clientDeposit, "MeshBoxRegistry: deposit below clientDeposit");
        uint256 e = currentEpoch();
        c.deposit = msg.value;
        c.registeredEpoch = uint64(e);
        c.deregisteredEpoch = 0;
        c.deregistered = false;
        emit ClientRegistered(msg.sender, msg.value, e);
    }

    // Ends the registration at the current epoch D; receipts for epochs up to D still count.
    // The deposit can be withdrawn from epoch D + 2 on.
    function deregister() public {
        Client storage c = clients[msg.sender];
        require(c.deposit > 0, "MeshBoxRegistry: not registered");
        require(!c.deregistered, "MeshBoxRegistry: already deregistered");
        uint256 e = currentEpoch();
        c.deregistered = true;
        c.deregisteredEpoch = uint64(e);
        emit ClientDeregistered(msg.sender, e, e + 2);
    }

    // Pays the deposit back two epochs after deregistration and deletes the record.
    function withdraw() public {
        Client storage c = clients[msg.sender];
        require(c.deposit > 0, "MeshBoxRegistry: not registered");
        require(c.deregistered, "MeshBoxRegistry: deregister first");
        require(currentEpoch() >= uint256(c.deregisteredEpoch) + 2, "MeshBoxRegistry: deposit still locked");
        uint256 amount = c.deposit;
        delete clients[msg.sender];
        msg.sender.transfer(amount);
        emit ClientWithdrawn(msg.sender, amount);
    }

    // deposit: 0 when not registered; deregisteredEpoch is 0 while not deregistered.
    function getClient(address client) public view returns (uint256 deposit, uint256 registeredEpoch,
                                                            bool deregistered, uint256 deregisteredEpoch) {
        Client storage c = clients[client];
        return (c.deposit, c.registeredEpoch, c.deregistered, c.deregisteredEpoch);
    }

    // True when receipts of `client` for `epoch` can count: it holds a deposit, registered
    // in or before the epoch, and did not deregister before it.
    function isClientActive(address client, uint256 epoch) public view returns (bool) {
        Client storage c = clients[client];
        if (c.deposit == 0 || epoch < c.registeredEpoch) {
            return false;
        }
        return !c.deregistered || epoch <= c.deregisteredEpoch;
    }

    // ---- receipts ------------------------------------------------------------------------

    // The hash a client signs: keccak256(prefix ‖ u256 chainId ‖ provider ‖ client ‖
    // u64 epoch ‖ u256 units).
    function receiptHash(address provider, address client, uint256 epoch, uint256 units)
        public view returns (bytes32)
    {
        require(epoch < 2**64, "MeshBoxRegistry: epoch out of range");
        return keccak256(abi.encodePacked(RECEIPT_PREFIX, chainId, provider, client, uint64(epoch), units));
    }

    // Counts a batch of `provider`'s receipts for `epoch` (the current or the previous
    // epoch); receipt k is (clients[k], units[k]) signed (r[k], s[k], v[k]). Reverts for a
    // malformed batch, a provider that is not a MeshBox or an epoch not open; otherwise
    // each receipt is accepted or refused on its own (ReceiptAccepted / ReceiptRefused).
    // Returns the number accepted.
    function report(address provider, uint256 epoch, address[] memory clientList, uint256[] memory units,
                    bytes32[] memory r, bytes32[] memory s, uint8[] memory v)
        public returns (uint256 accepted)
    {
        uint256 n = clientList.length;
        require(n > 0, "MeshBoxRegistry: empty batch");
        require(n <= MAX_BATCH, "MeshBoxRegistry: batch too large");
        require(units.length == n && r.length == n && s.length == n && v.length == n,
                "MeshBoxRegistry: batch arrays differ in length");
        require(values[provider] > 0, "MeshBoxRegistry: provider is not a MeshBox");
        uint256 cur = currentEpoch();
        require(epoch == cur || epoch + 1 == cur, "MeshBoxRegistry: epoch not open for reports");
        for (uint256 k = 0; k < n; k++) {
            uint8 reason = count(provider, epoch, clientList[k], units[k], r[k], s[k], v[k]);
            if (reason == 0) {
                accepted++;
            } else {
                emit ReceiptRefused(provider, clientList[k], epoch, units[k], reason);
            }
        }
        emit Reported(provider, epoch, msg.sender, accepted, n - accepted);
    }

    // Judges one receipt; on acceptance replaces the previous one of (provider, client,
    // epoch) in the three totals. Returns 0 or the refusal reason.
    function count(address provider, uint256 epoch, address client, uint256 units,
                   bytes32 r, bytes32 s, uint8 v) internal returns (uint8) {
        if (client == provider) {
            return REFUSED_SELF;
        }
        if (!validSignature(receiptHash(provider, client, epoch, units), r, s, v, client)) {
            return REFUSED_SIGNATURE;
        }
        if (!isClientActive(client, epoch)) {
            return REFUSED_CLIENT;
        }
        uint256 old = receipts[provider][client][epoch];
        if (units <= old) {
            return REFUSED_REPLAY;
        }
        // More than unitCap can never fit; refusing it first also keeps the sum below from
        // wrapping around for units near 2^256.
        if (units > unitCap) {
            return REFUSED_CAP;
        }
        uint256 used = clientTotals[client][epoch] - old + units;
        if (used > unitCap) {
            return REFUSED_CAP;
        }
        receipts[provider][client][epoch] = units;
        clientTotals[client][epoch] = used;
        uint256 total = providerTotals[provider][epoch] + (units - old);
        providerTotals[provider][epoch] = total;
        emit ReceiptAccepted(provider, client, epoch, units, total);
        return 0;
    }

    // r ‖ s ‖ v over h by `signer`, with v 27/28 and low s.
    function validSignature(bytes32 h, bytes32 r, bytes32 s, uint8 v, address signer)
        internal pure returns (bool)
    {
        if (v != 27 && v != 28) {
            return false;
        }
        if (uint256(s) == 0 || uint256(s) > HALF_N) {
            return false;
        }
        address got = ecrecover(h, v, r, s);
        return got != address(0) && got == signer;
    }

    // Units of the latest accepted receipt of (provider, client, epoch).
    function receiptUnits(address provider, address client, uint256 epoch) public view returns (uint256) {
        return receipts[provider][client][epoch];
    }

    // Accepted units of `client` for `epoch` over all providers (<= unitCap).
    function clientUnits(address client, uint256 epoch) public view returns (uint256) {
        return clientTotals[client][epoch];
    }

    // The contribution of `provider` in `epoch`.
    function providerTotal(address provider, uint256 epoch) public view returns (uint256) {
        return providerTotals[provider][epoch];
    }

    // What the node reads once per block: the current list of MeshBoxes (getMeshboxList's
    // order) and each one's contribution in `epoch`.
    function getEpochTotals(uint256 epoch) public view returns (address[] memory boxes, uint256[] memory totals) {
        boxes = meshboxList;
        totals = new uint256[](boxes.length);
        for (uint256 k = 0; k < boxes.length; k++) {
            totals[k] = providerTotals[boxes[k]][epoch];
        }
    }
}
