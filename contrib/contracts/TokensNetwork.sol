// TokensNetwork.sol: the on-chain side of the state-channel hub (shared/spec/photon.md §2).
// One contract holds the channels of every token: deposits, the close / update / unlock /
// punish / settle sequence of a unilateral close, withdraw and cooperative settle.
//
// Why it is shaped this way:
// - Photon nodes and monitoring services call this contract, so its ABI (every selector, event
//   topic and return type), its signed-message bytes and its timing rules are the spec's. The
//   hub's off-chain balance proofs are signed over the same bytes as the ones checked here
//   (§2.6), so one signature serves both.
// - One channel per (token, participant pair): channel_id = keccak256(lo ‖ hi ‖ token ‖ this)
//   with the two addresses in numeric order (§2.2). Every signed message also names
//   open_block_number and chain_id, and withDraw moves open_block_number to the current block,
//   so a signature is good for one channel, one "life" of it, on one chain. To keep
//   (channel_id, open_block_number) unique, withDraw and cooperativeSettle refuse to run in
//   the block the channel (re)opened in: otherwise the new life could start in the same block
//   as the old one, and the old signatures would verify again.
// - Only the 24-byte balance hash of a balance proof is stored (§2.3); callers re-supply
//   (transferred_amount, locksroot) at unlock and settle. A lock is unlocked against the
//   payer's stored hash with a merkle proof (§2.5); the replay guard is keyed by the payer's
//   current nonce, so a newer balance proof re-enables its locks.
// - Signatures are checked strictly: exactly 65 bytes r ‖ s ‖ v, v 27 or 28, s in the lower
//   half of the curve order. Photon's client signs that way (spec §1: v = 27/28; go-ethereum's
//   signer always produces low s), and one signer then has one encoding per message. Photon's
//   own contract also takes v 0/1; we do not (the hub never produces it).
// - The settlement math (§2.7) is computed without wrap-around even for a transferred amount
//   near 2^256, and clamped to [0, total deposit].
// - Effects before interactions: every function updates storage before it calls the token.
//   A token can only ever hurt the channels of that token.
// - Storage layout (for a genesis that presets storage rather than running the constructor):
//   slot 0 chain_id, slot 1 secret_registry, slot 2 registered_token, slot 3 channels.
// - Byzantium only (no CHAINID, SHL/SHR): chain_id is a constructor argument, stored.
// Imports SecretRegistry.sol (the constructor creates the registry, §2.1); nothing else.
// Written for spectrumd from the spec; not derived from Photon's Solidity sources.
pragma solidity 0.5.17;

import "./SecretRegistry.sol";

// The part of ERC20 that the channels use.
interface ChannelToken {
    function totalSupply() external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

contract TokensNetwork {
    // Photon nodes require a version starting with "0.6" (spec §2.4).
    string public constant contract_version = "0.6._";
    // EIP-191 style, "Spectrum" instead of "Ethereum"; the decimal length of the signed fields
    // follows (spec §1, §2.6).
    string public constant signature_prefix = "\x19Spectrum Signed Message:\n";
    // Blocks after the settle window in which punishObsoleteUnlock still runs and settle does not.
    uint64 public constant punish_block_number = 257;

    uint64 constant SETTLE_TIMEOUT_MIN = 6;
    uint64 constant SETTLE_TIMEOUT_MAX = 2700000;
    // secp256k1 order / 2: the largest s accepted (EIP-2).
    uint256 constant HALF_CURVE_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    uint8 constant STATE_NONE = 0;   // never opened, or settled
    uint8 constant STATE_OPEN = 1;
    uint8 constant STATE_CLOSED = 2;

    struct Participant {
        uint256 deposit;
        // bytes24(keccak256(locksroot ‖ transferred_amount)) of the latest balance proof this
        // participant signed that is on chain; 0 when none (or both fields zero).
        bytes24 balance_hash;
        uint64 nonce;
        // keccak256(u64 nonce ‖ lockhash) => unlocked on chain under that nonce.
        mapping(bytes32 => bool) unlocked_locks;
    }

    struct Channel {
        uint64 settle_timeout;
        uint64 settle_block_number; // 0 while open; close block + settle_timeout once closed
        uint64 open_block_number;   // the block of the opening deposit or the last withDraw
        uint8 state;
        mapping(address => Participant) participants;
    }

    uint256 public chain_id;                          // slot 0
    SecretRegistry public secret_registry;            // slot 1
    mapping(address => bool) public registered_token; // slot 2
    mapping(bytes32 => Channel) public channels;      // slot 3

    event TokenNetworkCreated(address indexed token_address);
    event ChannelOpenedAndDeposit(address indexed token, address participant, address partner,
                                  uint64 settle_timeout, uint256 participant1_deposit);
    event ChannelNewDeposit(bytes32 indexed channel_identifier, address participant, uint256 total_deposit);
    event ChannelClosed(bytes32 indexed channel_identifier, address closing_participant,
                        bytes32 locksroot, uint256 transferred_amount);
    event ChannelUnlocked(bytes32 indexed channel_identifier, address payer_participant,
                          bytes32 lockhash, uint256 transferred_amount);
    event BalanceProofUpdated(bytes32 indexed channel_identifier, address participant,
                              bytes32 locksroot, uint256 transferred_amount);
    event ChannelPunished(bytes32 indexed channel_identifier, address beneficiary);
    event ChannelSettled(bytes32 indexed channel_identifier, uint256 participant1_amount,
                         uint256 participant2_amount);
    event ChannelCooperativeSettled(bytes32 indexed channel_identifier, uint256 participant1_amount,
                                    uint256 participant2_amount);
    event ChannelWithdraw(bytes32 indexed channel_identifier, address participant1,
                          uint256 participant1_balance, address participant2, uint256 participant2_balance);

    // chain_id is the chain's network id as the hub reads it (net_version, spec §1); it must
    // be > 0. Creates the SecretRegistry (at the CREATE address of this contract, nonce 1).
    constructor(uint256 _chain_id) public {
        require(_chain_id > 0, "TokensNetwork: chain_id must be > 0");
        chain_id = _chain_id;
        secret_registry = new SecretRegistry();
    }

    // ---- opening and deposits (§2.4) ---------------------------------------------------------

    // Opens the channel (token, participant, partner) with `amount` for participant, or adds
    // `amount` to participant's deposit if it is open. The caller pays through
    // token.transferFrom(msg.sender, this, amount). settle_timeout is used only when opening.
    function deposit(address token, address participant, address partner, uint256 amount,
                     uint64 settle_timeout) public {
        depositInternal(token, participant, partner, amount, settle_timeout);
        require(ChannelToken(token).transferFrom(msg.sender, address(this), amount),
                "TokensNetwork: transferFrom failed");
    }

    // ERC223: the token (msg.sender) has already moved `value` to this contract. `data` is
    // three 32-byte words: participant, partner, settle_timeout.
    function tokenFallback(address, uint256 value, bytes memory data) public returns (bool success) {
        (address participant, address partner, uint256 settle_timeout) = openWithDepositArgs(data);
        depositInternal(msg.sender, participant, partner, value, settle_timeout);
        return true;
    }

    // approveAndCall: the token (msg.sender, which must be token_) tells us that `from`
    // approved `value`; we take it with transferFrom. `data` as for tokenFallback. Only the
    // token itself may call: otherwise anyone could move another holder's allowance into a
    // channel of their choosing.
    function receiveApproval(address from, uint256 value, address token_, bytes memory data)
        public returns (bool success)
    {
        require(msg.sender == token_, "TokensNetwork: receiveApproval not called by the token");
        (address participant, address partner, uint256 settle_timeout) = openWithDepositArgs(data);
        depositInternal(token_, participant, partner, value, settle_timeout);
        require(ChannelToken(token_).transferFrom(from, address(this), value),
                "TokensNetwork: transferFrom failed");
        return true;
    }

    // ---- withdraw and cooperative settle (open channel, both signatures) -----------------

    // Pays participant_withdraw out of an open channel to participant. Both participants sign
    // the same Withdraw message; the partner's new deposit is total − participant_balance and
    // participant's is participant_balance − participant_withdraw. open_block_number becomes
    // the current block, so every earlier signature on the channel is void.
    function withDraw(address token, address participant, address partner, uint256 participant_balance,
                      uint256 participant_withdraw, bytes memory participant_signature,
                      bytes memory partner_signature) public {
        bytes32 id = getChannelIdentifier(token, participant, partner);
        Channel storage ch = channels[id];
        require(ch.state == STATE_OPEN, "TokensNetwork: channel not open");
        require(ch.open_block_number < block.number, "TokensNetwork: channel opened in this block");
        bytes32 h = withdrawMessageHash(participant, participant_balance, participant_withdraw, id,
                                        ch.open_block_number);
        require(recoverSigner(h, participant_signature) == participant,
                "TokensNetwork: withdraw not signed by participant");
        require(recoverSigner(h, partner_signature) == partner,
                "TokensNetwork: withdraw not signed by partner");
        uint256 total = ch.participants[participant].deposit + ch.participants[partner].deposit;
        require(participant_balance <= total, "TokensNetwork: balance above the deposits");
        require(participant_withdraw > 0 && participant_withdraw <= participant_balance,
                "TokensNetwork: bad withdraw amount");
        uint256 remaining = participant_balance - participant_withdraw;
        ch.participants[participant].deposit = remaining;
        ch.participants[partner].deposit = total - participant_balance;
        ch.open_block_number = uint64(block.number);
        emit ChannelWithdraw(id, participant, remaining, partner, total - participant_balance);
        payOut(token, participant, participant_withdraw);
    }

    // Closes and settles an open channel at once on both participants' signatures over the
    // same CooperativeSettle message; the two balances must add up to the deposits.
    function cooperativeSettle(address token, address participant1, uint256 participant1_balance,
                               address participant2, uint256 participant2_balance,
                               bytes memory participant1_signature, bytes memory participant2_signature)
        public
    {
        bytes32 id = getChannelIdentifier(token, participant1, participant2);
        Channel storage ch = channels[id];
        require(ch.state == STATE_OPEN, "TokensNetwork: channel not open");
        require(ch.open_block_number < block.number, "TokensNetwork: channel opened in this block");
        bytes32 h = cooperativeSettleMessageHash(participant1, participant1_balance, participant2,
                                                 participant2_balance, id, ch.open_block_number);
        require(recoverSigner(h, participant1_signature) == participant1,
                "TokensNetwork: settlement not signed by participant1");
        require(recoverSigner(h, participant2_signature) == participant2,
                "TokensNetwork: settlement not signed by participant2");
        uint256 total = ch.participants[participant1].deposit + ch.participants[participant2].deposit;
        require(participant1_balance <= total && participant2_balance == total - participant1_balance,
                "TokensNetwork: balances do not add up to the deposits");
        deleteChannel(id, participant1, participant2);
        emit ChannelCooperativeSettled(id, participant1_balance, participant2_balance);
        payOut(token, participant1, participant1_balance);
        payOut(token, participant2, participant2_balance);
    }

    // ---- unilateral close (§2.8) -------------------------------------------------------------

    // Closes the channel between msg.sender and partner. The settle window runs until
    // block.number + settle_timeout. With nonce > 0 the partner's balance proof (signed over
    // the BalanceProof message) is recorded; with nonce 0 there is none, and
    // transferred_amount and locksroot must be zero.
    function prepareSettle(address token, address partner, uint256 transferred_amount, bytes32 locksroot,
                           uint64 nonce, bytes32 additional_hash, bytes memory signature) public {
        bytes32 id = getChannelIdentifier(token, msg.sender, partner);
        Channel storage ch = channels[id];
        require(ch.state == STATE_OPEN, "TokensNetwork: channel not open");
        ch.state = STATE_CLOSED;
        ch.settle_block_number = uint64(block.number) + ch.settle_timeout;
        if (nonce > 0) {
            recordBalanceProof(id, partner, transferred_amount, locksroot, nonce, additional_hash, signature);
        } else {
            require(transferred_amount == 0 && locksroot == bytes32(0),
                    "TokensNetwork: a balance proof without nonce must be empty");
        }
        emit ChannelClosed(id, msg.sender, locksroot, transferred_amount);
    }

    // During the settle window, records a newer balance proof of partner (either participant
    // may call, any number of times).
    function updateBalanceProof(address token, address partner, uint256 transferred_amount,
                                bytes32 locksroot, uint64 nonce, bytes32 additional_hash,
                                bytes memory partner_signature) public {
        bytes32 id = getChannelIdentifier(token, msg.sender, partner);
        requireSettleWindow(channels[id]);
        recordBalanceProof(id, partner, transferred_amount, locksroot, nonce, additional_hash, partner_signature);
        emit BalanceProofUpdated(id, partner, locksroot, transferred_amount);
    }

    // updateBalanceProof on behalf of participant (a monitoring service), allowed only in the
    // second half of the settle window. participant signs a BalanceProofDelegate message over
    // the same proof.
    function updateBalanceProofDelegate(address token, address partner, address participant,
                                        uint256 transferred_amount, bytes32 locksroot, uint64 nonce,
                                        bytes32 additional_hash, bytes memory partner_signature,
                                        bytes memory participant_signature) public {
        bytes32 id = getChannelIdentifier(token, participant, partner);
        Channel storage ch = channels[id];
        requireSettleWindow(ch);
        require(block.number >= uint256(ch.settle_block_number) - ch.settle_timeout / 2,
                "TokensNetwork: delegate update before the second half of the settle window");
        bytes32 h = balanceProofDelegateMessageHash(transferred_amount, locksroot, nonce, id,
                                                    ch.open_block_number);
        require(recoverSigner(h, participant_signature) == participant,
                "TokensNetwork: delegation not signed by participant");
        recordBalanceProof(id, partner, transferred_amount, locksroot, nonce, additional_hash, partner_signature);
        emit BalanceProofUpdated(id, partner, locksroot, transferred_amount);
    }

    // Claims a lock of partner's recorded balance proof for msg.sender (§2.5).
    // transferred_amount is the one in partner's stored balance hash (including the locks
    // already unlocked on chain); merkle_proof is the concatenated 32-byte siblings.
    function unlock(address token, address partner, uint256 transferred_amount, uint256 expiration,
                    uint256 amount, bytes32 secret_hash, bytes memory merkle_proof) public {
        bytes32 id = getChannelIdentifier(token, msg.sender, partner);
        requireSettleWindow(channels[id]);
        requireSecretInTime(secret_hash, expiration);
        bytes32 lockhash = keccak256(abi.encodePacked(expiration, amount, secret_hash));
        unlockInternal(id, partner, transferred_amount, lockhash, amount, merkle_proof);
    }

    // unlock on behalf of participant, who signs an UnlockDelegate message naming
    // msg.sender as the delegatee.
    function unlockDelegate(address token, address partner, address participant, uint256 transferred_amount,
                            uint256 expiration, uint256 amount, bytes32 secret_hash,
                            bytes memory merkle_proof, bytes memory participant_signature) public {
        bytes32 id = getChannelIdentifier(token, participant, partner);
        requireSettleWindow(channels[id]);
        bytes32 h = unlockDelegateMessageHash(msg.sender, expiration, amount, secret_hash, id,
                                              channels[id].open_block_number);
        require(recoverSigner(h, participant_signature) == participant,
                "TokensNetwork: unlock delegation not signed by participant");
        requireSecretInTime(secret_hash, expiration);
        bytes32 lockhash = keccak256(abi.encodePacked(expiration, amount, secret_hash));
        unlockInternal(id, partner, transferred_amount, lockhash, amount, merkle_proof);
    }

    // The cheater unlocked on chain a lock it had disposed of (signed a DisposedProof for).
    // The beneficiary takes the cheater's whole deposit, and its own balance proof is frozen
    // at "nothing transferred" (balance hash 0, nonce 2^64 − 1). Allowed while the channel is
    // closed, i.e. through the settle window and the punish blocks after it.
    function punishObsoleteUnlock(address token, address beneficiary, address cheater, bytes32 lockhash,
                                  bytes32 additional_hash, bytes memory cheater_signature) public {
        bytes32 id = getChannelIdentifier(token, beneficiary, cheater);
        Channel storage ch = channels[id];
        require(ch.state == STATE_CLOSED, "TokensNetwork: channel not closed");
        Participant storage b = ch.participants[beneficiary];
        require(b.balance_hash != bytes24(0), "TokensNetwork: beneficiary has no balance proof");
        bytes32 h = disposedProofMessageHash(lockhash, id, ch.open_block_number, additional_hash);
        require(recoverSigner(h, cheater_signature) == cheater,
                "TokensNetwork: disposed proof not signed by cheater");
        require(b.unlocked_locks[keccak256(abi.encodePacked(b.nonce, lockhash))],
                "TokensNetwork: lock was not unlocked");
        Participant storage c = ch.participants[cheater];
        b.balance_hash = bytes24(0);
        b.nonce = uint64(-1);
        b.deposit += c.deposit; // both are parts of the channel's total: no overflow
        c.deposit = 0;
        emit ChannelPunished(id, beneficiary);
    }

    // Pays out a closed channel once block.number > settle_block_number + punish_block_number.
    // Each (transferred_amount, locksroot) must match that participant's stored balance hash
    // (0, 0 for a participant without one). Amounts per §2.7.
    function settle(address token, address participant1, uint256 participant1_transferred_amount,
                    bytes32 participant1_locksroot, address participant2,
                    uint256 participant2_transferred_amount, bytes32 participant2_locksroot) public {
        bytes32 id = getChannelIdentifier(token, participant1, participant2);
        Channel storage ch = channels[id];
        require(ch.state == STATE_CLOSED, "TokensNetwork: channel not closed");
        require(block.number > uint256(ch.settle_block_number) + punish_block_number,
                "TokensNetwork: settle window not over");
        Participant storage p1 = ch.participants[participant1];
        Participant storage p2 = ch.participants[participant2];
        require(p1.balance_hash == balanceHash(participant1_transferred_amount, participant1_locksroot),
                "TokensNetwork: participant1 balance proof does not match");
        require(p2.balance_hash == balanceHash(participant2_transferred_amount, participant2_locksroot),
                "TokensNetwork: participant2 balance proof does not match");
        uint256 total = p1.deposit + p2.deposit;
        uint256 p1_amount = settleAmount(p1.deposit, total, participant1_transferred_amount,
                                         participant2_transferred_amount);
        deleteChannel(id, participant1, participant2);
        emit ChannelSettled(id, p1_amount, total - p1_amount);
        payOut(token, participant1, p1_amount);
        payOut(token, participant2, total - p1_amount);
    }

    // ---- views (§2.4) ------------------------------------------------------------------------

    // (channel id, settle_block_number, open_block_number, state, settle_timeout); zeros but
    // the id for a channel that does not exist.
    function getChannelInfo(address token, address participant1, address participant2)
        public view returns (bytes32, uint64, uint64, uint8, uint64)
    {
        bytes32 id = getChannelIdentifier(token, participant1, participant2);
        Channel storage ch = channels[id];
        return (id, ch.settle_block_number, ch.open_block_number, ch.state, ch.settle_timeout);
    }

    function getChannelInfoByChannelIdentifier(bytes32 channel_identifier)
        public view returns (uint64, uint64, uint8, uint64)
    {
        Channel storage ch = channels[channel_identifier];
        return (ch.settle_block_number, ch.open_block_number, ch.state, ch.settle_timeout);
    }

    // (deposit, balance_hash, nonce) of participant in its channel with partner.
    function getChannelParticipantInfo(address token, address participant, address partner)
        public view returns (uint256, bytes24, uint64)
    {
        Participant storage p = channels[getChannelIdentifier(token, participant, partner)].participants[participant];
        return (p.deposit, p.balance_hash, p.nonce);
    }

    // Whether lockhash was unlocked on chain from participant's current balance proof (the
    // replay guard under participant's current nonce).
    function queryUnlockedLocks(address token, address participant, address partner, bytes32 lockhash)
        public view returns (bool)
    {
        Participant storage p = channels[getChannelIdentifier(token, participant, partner)].participants[participant];
        return p.unlocked_locks[keccak256(abi.encodePacked(p.nonce, lockhash))];
    }

    function contractExists(address contract_address) public view returns (bool) {
        uint256 size;
        assembly { size := extcodesize(contract_address) }
        return size > 0;
    }

    // ---- internals ---------------------------------------------------------------------------

    // keccak256(lo ‖ hi ‖ token ‖ this), lo < hi numerically (§2.2).
    function getChannelIdentifier(address token, address a, address b) internal view returns (bytes32) {
        if (a < b) {
            return keccak256(abi.encodePacked(a, b, token, address(this)));
        }
        return keccak256(abi.encodePacked(b, a, token, address(this)));
    }

    // bytes24(keccak256(locksroot ‖ transferred_amount)), or 0 when both are zero (§2.3).
    function balanceHash(uint256 transferred_amount, bytes32 locksroot) internal pure returns (bytes24) {
        if (transferred_amount == 0 && locksroot == bytes32(0)) {
            return bytes24(0);
        }
        return bytes24(keccak256(abi.encodePacked(locksroot, transferred_amount)));
    }

    function depositInternal(address token, address participant, address partner, uint256 amount,
                             uint256 settle_timeout) internal {
        require(amount > 0, "TokensNetwork: zero deposit");
        bytes32 id = getChannelIdentifier(token, participant, partner);
        Channel storage ch = channels[id];
        if (ch.state == STATE_NONE) {
            require(participant != address(0) && partner != address(0), "TokensNetwork: zero participant");
            require(participant != partner, "TokensNetwork: participant is partner");
            require(settle_timeout >= SETTLE_TIMEOUT_MIN && settle_timeout <= SETTLE_TIMEOUT_MAX,
                    "TokensNetwork: settle_timeout out of bounds");
            if (!registered_token[token]) {
                registerToken(token);
            }
            ch.settle_timeout = uint64(settle_timeout);
            ch.open_block_number = uint64(block.number);
            ch.state = STATE_OPEN;
            ch.participants[participant].deposit = amount;
            emit ChannelOpenedAndDeposit(token, participant, partner, uint64(settle_timeout), amount);
            return;
        }
        require(ch.state == STATE_OPEN, "TokensNetwork: channel not open");
        uint256 mine = ch.participants[participant].deposit + amount;
        require(mine >= amount, "TokensNetwork: deposit overflows");
        // The channel's total must stay representable too (settle adds both deposits).
        require(mine + ch.participants[partner].deposit >= mine, "TokensNetwork: deposit overflows");
        ch.participants[participant].deposit = mine;
        emit ChannelNewDeposit(id, participant, mine);
    }

    // A token is used for the first time: it must be a contract with a positive supply.
    function registerToken(address token) internal {
        require(contractExists(token), "TokensNetwork: token is not a contract");
        require(ChannelToken(token).totalSupply() > 0, "TokensNetwork: token has no supply");
        registered_token[token] = true;
        emit TokenNetworkCreated(token);
    }

    // The data of tokenFallback / receiveApproval: participant, partner, settle_timeout as
    // three words; the two addresses must have their upper 12 bytes zero.
    function openWithDepositArgs(bytes memory data)
        internal pure returns (address participant, address partner, uint256 settle_timeout)
    {
        require(data.length == 96, "TokensNetwork: deposit data must be 3 words");
        uint256 a;
        uint256 b;
        assembly {
            a := mload(add(data, 32))
            b := mload(add(data, 64))
            settle_timeout := mload(add(data, 96))
        }
        require(a >> 160 == 0 && b >> 160 == 0, "TokensNetwork: bad address in deposit data");
        participant = address(a);
        partner = address(b);
    }

    function requireSettleWindow(Channel storage ch) internal view {
        require(ch.state == STATE_CLOSED, "TokensNetwork: channel not closed");
        require(block.number <= ch.settle_block_number, "TokensNetwork: settle window over");
    }

    // Checks the BalanceProof signature of `signer` and records the proof if its nonce is
    // newer than the stored one.
    function recordBalanceProof(bytes32 id, address signer, uint256 transferred_amount, bytes32 locksroot,
                                uint64 nonce, bytes32 additional_hash, bytes memory signature) internal {
        Channel storage ch = channels[id];
        Participant storage p = ch.participants[signer];
        require(nonce > p.nonce, "TokensNetwork: nonce not newer");
        bytes32 h = balanceProofMessageHash(transferred_amount, locksroot, nonce, additional_hash, id,
                                            ch.open_block_number);
        require(recoverSigner(h, signature) == signer, "TokensNetwork: balance proof not signed by partner");
        p.balance_hash = balanceHash(transferred_amount, locksroot);
        p.nonce = nonce;
    }

    // The secret of secret_hash was registered on chain, no later than the lock's expiration.
    function requireSecretInTime(bytes32 secret_hash, uint256 expiration) internal view {
        uint256 reveal = secret_registry.getSecretRevealBlockHeight(secret_hash);
        require(reveal > 0, "TokensNetwork: secret not registered");
        require(reveal <= expiration, "TokensNetwork: secret registered after the lock expired");
    }

    // §2.5 steps 3–6 for a lock of payer's balance proof (the caller has checked steps 1–2:
    // the settle window and the secret's registration).
    function unlockInternal(bytes32 id, address payer, uint256 transferred_amount, bytes32 lockhash,
                            uint256 amount, bytes memory merkle_proof) internal {
        Participant storage p = channels[id].participants[payer];
        bytes32 locksroot = computeMerkleRoot(lockhash, merkle_proof);
        require(p.balance_hash == balanceHash(transferred_amount, locksroot),
                "TokensNetwork: lock or transferred amount does not match the balance proof");
        bytes32 key = keccak256(abi.encodePacked(p.nonce, lockhash));
        require(!p.unlocked_locks[key], "TokensNetwork: lock already unlocked");
        p.unlocked_locks[key] = true;
        uint256 new_amount = transferred_amount + amount;
        require(new_amount >= amount, "TokensNetwork: transferred amount overflows");
        p.balance_hash = balanceHash(new_amount, locksroot);
        emit ChannelUnlocked(id, payer, lockhash, new_amount);
    }

    // The root of the tree that has `leaf` with siblings `proof` (concatenated 32-byte values,
    // bottom-up); each pair is hashed smaller first (§3.6).
    function computeMerkleRoot(bytes32 leaf, bytes memory proof) internal pure returns (bytes32) {
        require(proof.length % 32 == 0, "TokensNetwork: merkle proof is not whole words");
        bytes32 h = leaf;
        for (uint256 i = 32; i <= proof.length; i += 32) {
            bytes32 sibling;
            assembly { sibling := mload(add(proof, i)) }
            if (h < sibling) {
                h = keccak256(abi.encodePacked(h, sibling));
            } else {
                h = keccak256(abi.encodePacked(sibling, h));
            }
        }
        return h;
    }

    // §2.7: deposit1 + ta2 − ta1, clamped to [0, total], without intermediate overflow.
    function settleAmount(uint256 deposit1, uint256 total, uint256 ta1, uint256 ta2)
        internal pure returns (uint256)
    {
        uint256 amount;
        if (ta2 >= ta1) {
            uint256 gain = ta2 - ta1;
            amount = deposit1 + gain;
            if (amount < gain) {
                return total; // overflowed: far above total
            }
        } else {
            uint256 loss = ta1 - ta2;
            if (loss >= deposit1) {
                return 0;
            }
            amount = deposit1 - loss;
        }
        return amount < total ? amount : total;
    }

    function deleteChannel(bytes32 id, address participant1, address participant2) internal {
        Channel storage ch = channels[id];
        delete ch.participants[participant1];
        delete ch.participants[participant2];
        delete channels[id];
    }

    function payOut(address token, address to, uint256 amount) internal {
        if (amount > 0) {
            require(ChannelToken(token).transfer(to, amount), "TokensNetwork: token transfer failed");
        }
    }

    // ---- signed messages (§2.6) --------------------------------------------------------------

    // The signer of hash (65 bytes r ‖ s ‖ v, v 27/28, low s); reverts on anything else.
    function recoverSigner(bytes32 hash, bytes memory signature) internal pure returns (address) {
        require(signature.length == 65, "TokensNetwork: signature must be 65 bytes");
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(signature, 32))
            s := mload(add(signature, 64))
            v := byte(0, mload(add(signature, 96)))
        }
        require(v == 27 || v == 28, "TokensNetwork: signature v must be 27 or 28");
        require(uint256(s) <= HALF_CURVE_ORDER, "TokensNetwork: signature s too high");
        address signer = ecrecover(hash, v, r, s);
        require(signer != address(0), "TokensNetwork: invalid signature");
        return signer;
    }

    function balanceProofMessageHash(uint256 transferred_amount, bytes32 locksroot, uint64 nonce,
                                     bytes32 additional_hash, bytes32 id, uint64 open_block_number)
        internal view returns (bytes32)
    {
        return keccak256(abi.encodePacked(signature_prefix, "176", transferred_amount, locksroot, nonce,
                                          additional_hash, id, open_block_number, chain_id));
    }

    function balanceProofDelegateMessageHash(uint256 transferred_amount, bytes32 locksroot, uint64 nonce,
                                             bytes32 id, uint64 open_block_number)
        internal view returns (bytes32)
    {
        return keccak256(abi.encodePacked(signature_prefix, "144", transferred_amount, locksroot, nonce,
                                          id, open_block_number, chain_id));
    }

    function cooperativeSettleMessageHash(address participant1, uint256 participant1_balance,
                                          address participant2, uint256 participant2_balance,
                                          bytes32 id, uint64 open_block_number)
        internal view returns (bytes32)
    {
        return keccak256(abi.encodePacked(signature_prefix, "176", participant1, participant1_balance,
                                          participant2, participant2_balance, id, open_block_number,
                                          chain_id));
    }

    function withdrawMessageHash(address participant, uint256 participant_balance,
                                 uint256 participant_withdraw, bytes32 id, uint64 open_block_number)
        internal view returns (bytes32)
    {
        return keccak256(abi.encodePacked(signature_prefix, "156", participant, participant_balance,
                                          participant_withdraw, id, open_block_number, chain_id));
    }

    // Note the order: chain_id before additional_hash (spec §2.6).
    function disposedProofMessageHash(bytes32 lockhash, bytes32 id, uint64 open_block_number,
                                      bytes32 additional_hash)
        internal view returns (bytes32)
    {
        return keccak256(abi.encodePacked(signature_prefix, "136", lockhash, id, open_block_number,
                                          chain_id, additional_hash));
    }

    function unlockDelegateMessageHash(address delegatee, uint256 expiration, uint256 amount,
                                       bytes32 secret_hash, bytes32 id, uint64 open_block_number)
        internal view returns (bytes32)
    {
        return keccak256(abi.encodePacked(signature_prefix, "188", delegatee, expiration, amount,
                                          secret_hash, id, open_block_number, chain_id));
    }
}
