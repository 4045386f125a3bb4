#!/usr/bin/env python3
"""Writes small .tflite files for tucai's tests and fuzz corpus.

A tiny FlatBuffer writer (no flatbuffers library): objects are laid out
front to back, each table followed by the things it points to, so that every
uoffset is positive as the format requires; vtables are written just before
their table (soffset is signed).  Only what tc_tfl.c reads is modelled.

  python3 tools/tflite_gen.py OUTDIR      # writes the corpus seeds

The models are nonsense numerically; they exist to exercise the reader and
the graph builder (valid files, and mutated or truncated ones).
"""
import os
import random
import struct
import sys


class Table:
    """fields: dict field id -> (kind, value); kinds: 'u8', 'i32', 'u32',
    'u64', 'f32', 'ref' (a Table, Vec or Str)."""

    def __init__(self, fields):
        self.fields = fields


class Vec:
    def __init__(self, elem, items):
        self.elem = elem  # 'i32', 'u8', 'ref'
        self.items = items


class Str:
    def __init__(self, s):
        self.s = s.encode()


SIZES = {'u8': 1, 'i32': 4, 'u32': 4, 'u64': 8, 'f32': 4, 'ref': 4}
FMT = {'u8': '<B', 'i32': '<i', 'u32': '<I', 'u64': '<Q', 'f32': '<f'}


class Writer:
    def __init__(self):
        self.buf = bytearray()

    def align(self, n):
        while len(self.buf) % n:
            self.buf.append(0)

    def emit(self, obj):
        if isinstance(obj, Str):
            self.align(4)
            pos = len(self.buf)
            self.buf += struct.pack('<I', len(obj.s)) + obj.s + b'\0'
            return pos
        if isinstance(obj, Vec):
            self.align(8 if obj.elem == 'u8' else 4)
            # u8 data vectors are aligned so that the payload lands on 16
            if obj.elem == 'u8':
                while (len(self.buf) + 4) % 16:
                    self.buf.append(0)
            pos = len(self.buf)
            self.buf += struct.pack('<I', len(obj.items))
            if obj.elem == 'ref':
                slots = []
                for _ in obj.items:
                    slots.append(len(self.buf))
                    self.buf += b'\0\0\0\0'
                for slot, it in zip(slots, obj.items):
                    p = self.emit(it)
                    struct.pack_into('<I', self.buf, slot, p - slot)
            elif obj.elem == 'u8':
                self.buf += bytes(obj.items)
            else:
                for it in obj.items:
                    self.buf += struct.pack(FMT[obj.elem], it)
            return pos
        assert isinstance(obj, Table)
        ids = sorted(obj.fields)
        nf = (max(ids) + 1) if ids else 0
        # table layout: soffset, then fields in id order, each aligned
        layout = []
        off = 4
        for i in ids:
            kind, _ = obj.fields[i]
            sz = SIZES[kind]
            while off % sz:
                off += 1
            layout.append((i, off))
            off += sz
        tsize = off
        self.align(2)
        vt = len(self.buf)
        self.buf += struct.pack('<HH', 4 + 2 * nf, tsize)
        offs = dict(layout)
        for i in range(nf):
            self.buf += struct.pack('<H', offs.get(i, 0))
        self.align(8)
        pos = len(self.buf)
        self.buf += bytes(tsize)
        struct.pack_into('<i', self.buf, pos, pos - vt)
        refs = []
        for i, o in layout:
            kind, val = obj.fields[i]
            if kind == 'ref':
                refs.append((pos + o, val))
            else:
                struct.pack_into(FMT[kind], self.buf, pos + o, val)
        for slot, val in refs:
            p = self.emit(val)
            struct.pack_into('<I', self.buf, slot, p - slot)
        return pos

    def finish(self, root):
        self.buf += b'\0\0\0\0TFL3'
        p = self.emit(root)
        struct.pack_into('<I', self.buf, 0, p)
        return bytes(self.buf)


def f32s(vals):
    return list(struct.pack('<%df' % len(vals), *vals))


def f16s(vals):
    return list(struct.pack('<%de' % len(vals), *vals))


def i32s(vals):
    return list(struct.pack('<%di' % len(vals), *vals))


def model(tensors, ops, inputs, outputs, buffers, codes):
    """tensors: (name, shape, type, buffer index); ops: (code index, ins,
    outs, options Table or None, custom options bytes or None); buffers: byte
    lists (buffer 0 must be empty); codes: (builtin code, custom name or None)."""
    def opcode(c, n):
        f = {0: ('u8', min(c, 127)), 3: ('i32', c)}
        if n:
            f[1] = ('ref', Str(n))
        return Table(f)

    def tensor(n, s, ty, b):
        return Table({0: ('ref', Vec('i32', s)), 1: ('u8', ty), 2: ('u32', b), 3: ('ref', Str(n))})

    def operator(ci, ins, outs, opts, cust):
        f = {0: ('u32', ci), 1: ('ref', Vec('i32', ins)), 2: ('ref', Vec('i32', outs))}
        if opts is not None:
            f[4] = ('ref', opts)
        if cust is not None:
            f[5] = ('ref', Vec('u8', list(cust)))
        return Table(f)

    subgraph = Table({
        0: ('ref', Vec('ref', [tensor(*t) for t in tensors])),
        1: ('ref', Vec('i32', inputs)),
        2: ('ref', Vec('i32', outputs)),
        3: ('ref', Vec('ref', [operator(*o) for o in ops])),
    })
    return Table({
        0: ('u32', 3),
        1: ('ref', Vec('ref', [opcode(*c) for c in codes])),
        2: ('ref', Vec('ref', [subgraph])),
        4: ('ref', Vec('ref', [Table({0: ('ref', Vec('u8', b))} if b else {}) for b in buffers])),
    })


F32, F16, I32 = 0, 1, 2
ADD, AVG, CONCAT, CONV, DW, DEQ, LOGISTIC, MAXPOOL, MUL, RELU, RESHAPE, RESIZE, CUSTOM, PAD, PRELU, HSWISH = \
    0, 1, 2, 3, 4, 6, 14, 17, 18, 19, 22, 23, 32, 34, 54, 117


def small_net(rng):
    """A little network touching every op the engine knows."""
    c = 4
    w_conv = f16s([rng.uniform(-1, 1) for _ in range(c * 3 * 3 * 3)])
    b = f32s([rng.uniform(-1, 1) for _ in range(c)])
    w_dw = f32s([rng.uniform(-1, 1) for _ in range(9 * c)])
    alpha = f32s([0.25] * c)
    pads = i32s([0, 0, 0, 0, 0, 0, 0, 2])
    size = i32s([8, 8])
    w_tc = f32s([rng.uniform(-1, 1) for _ in range(2 * 2 * 2 * (c + 2))])
    b_tc = f32s([0.1, -0.1])
    buffers = [[], w_conv, b, w_dw, alpha, pads, size, w_tc, b_tc]
    tensors = [
        ('input', [1, 8, 8, 3], F32, 0),        # 0
        ('w_conv16', [c, 3, 3, 3], F16, 1),     # 1
        ('w_conv', [c, 3, 3, 3], F32, 0),       # 2 (dequantized)
        ('b', [c], F32, 2),                     # 3
        ('conv', [1, 4, 4, c], F32, 0),         # 4
        ('w_dw', [1, 3, 3, c], F32, 3),         # 5
        ('dw', [1, 4, 4, c], F32, 0),           # 6
        ('alpha', [1, 1, c], F32, 4),           # 7
        ('prelu', [1, 4, 4, c], F32, 0),        # 8
        ('pads', [4, 2], I32, 5),               # 9
        ('pad', [1, 4, 4, c + 2], F32, 0),      # 10
        ('hs', [1, 4, 4, c + 2], F32, 0),       # 11
        ('pool', [1, 2, 2, c + 2], F32, 0),     # 12
        ('avg', [1, 1, 1, c + 2], F32, 0),      # 13
        ('sig', [1, 1, 1, c + 2], F32, 0),      # 14
        ('mul', [1, 2, 2, c + 2], F32, 0),      # 15
        ('size', [2], I32, 6),                  # 16
        ('up', [1, 8, 8, c + 2], F32, 0),       # 17
        ('w_tc', [2, 2, 2, c + 2], F32, 7),     # 18
        ('b_tc', [2], F32, 8),                  # 19
        ('tc', [1, 16, 16, 2], F32, 0),         # 20
        ('relu', [1, 16, 16, 2], F32, 0),       # 21
        ('add', [1, 16, 16, 2], F32, 0),        # 22
        ('flat', [1, 256, 2], F32, 0),          # 23
        ('cat', [1, 256, 4], F32, 0),           # 24
    ]
    codes = [(DEQ, None), (CONV, None), (DW, None), (PRELU, None), (PAD, None), (HSWISH, None),
             (MAXPOOL, None), (AVG, None), (LOGISTIC, None), (MUL, None), (RESIZE, None),
             (CUSTOM, 'Convolution2DTransposeBias'), (RELU, None), (ADD, None), (RESHAPE, None), (CONCAT, None)]
    conv_o = Table({0: ('u8', 0), 1: ('i32', 2), 2: ('i32', 2), 3: ('u8', 1)})
    dw_o = Table({0: ('u8', 0), 1: ('i32', 1), 2: ('i32', 1), 3: ('i32', 1)})
    mp_o = Table({0: ('u8', 1), 1: ('i32', 2), 2: ('i32', 2), 3: ('i32', 2), 4: ('i32', 2)})
    ap_o = Table({0: ('u8', 1), 1: ('i32', 2), 2: ('i32', 2), 3: ('i32', 2), 4: ('i32', 2)})
    rs_o = Table({2: ('u8', 0), 3: ('u8', 1)})
    cat_o = Table({0: ('i32', 2)})
    tc_opts = struct.pack('<iii', 1, 2, 2)
    ops = [
        (0, [1], [2], None, None),
        (1, [0, 2, 3], [4], conv_o, None),
        (2, [4, 5, 3], [6], dw_o, None),
        (3, [6, 7], [8], None, None),
        (4, [8, 9], [10], None, None),
        (5, [10], [11], None, None),
        (6, [11], [12], mp_o, None),
        (7, [12], [13], ap_o, None),
        (8, [13], [14], None, None),
        (9, [12, 14], [15], Table({}), None),
        (10, [15, 16], [17], rs_o, None),
        (11, [17, 18, 19], [20], None, tc_opts),
        (12, [20], [21], None, None),
        (13, [21, 20], [22], Table({0: ('u8', 0)}), None),
        (14, [22], [23], None, None),
        (15, [23, 23], [24], cat_o, None),
    ]
    return model(tensors, ops, [0], [24], buffers, codes)


def flex_map(d):
    """A FlexBuffers map (the encoding of custom ops' options), every width 4
    bytes: ints, floats and lists of ints (typed int vectors)."""
    buf = bytearray()

    def align():
        while len(buf) % 4:
            buf.append(0)
    keys = sorted(d)
    kpos = []
    for k in keys:
        kpos.append(len(buf))
        buf.extend(k.encode() + b'\0')
    vpos = {}
    for k in keys:
        if isinstance(d[k], list):
            align()
            buf.extend(struct.pack('<I', len(d[k])))
            vpos[k] = len(buf)
            buf.extend(struct.pack('<%di' % len(d[k]), *d[k]))
    align()
    buf.extend(struct.pack('<I', len(keys)))
    kv = len(buf)
    for i in range(len(keys)):
        buf.extend(struct.pack('<I', len(buf) - kpos[i]))
    slot = len(buf)
    buf.extend(struct.pack('<III', slot - kv, 4, len(keys)))
    mpos = len(buf)
    types = []
    for k in keys:
        v = d[k]
        if isinstance(v, list):
            buf.extend(struct.pack('<I', len(buf) - vpos[k]))
            types.append((11 << 2) | 2)
        elif isinstance(v, float):
            buf.extend(struct.pack('<f', v))
            types.append((3 << 2) | 2)
        else:
            buf.extend(struct.pack('<i', v))
            types.append((1 << 2) | 2)
    buf.extend(bytes(types))
    buf.extend(struct.pack('<I', len(buf) - mpos))
    buf.extend(bytes([(9 << 2) | 2, 4]))
    return bytes(buf)


def attention_net():
    """MediaPipe's attention-mesh custom ops and a whole-tensor STRIDED_SLICE:
    landmarks [1, 6, 3] -> Landmarks2TransformMatrix -> a 4x4 matrix that
    TransformTensorBilinear samples features [1, 6, 6, 2] with (3x3 out), the
    samples read as 9 points [1, 9, 2] that TransformLandmarks maps back, and
    a STRIDED_SLICE copying the result."""
    tensors = [
        ('lm', [1, 6, 3], F32, 0),              # 0 input
        ('feat', [1, 6, 6, 2], F32, 0),         # 1 input
        ('mat', [1, 4, 4], F32, 0),             # 2
        ('warp', [1, 3, 3, 2], F32, 0),         # 3
        ('pts', [1, 9, 2], F32, 0),             # 4
        ('xf', [1, 9, 2], F32, 0),              # 5
        ('begin', [3], I32, 1),                 # 6
        ('end', [3], I32, 2),                   # 7
        ('strides', [3], I32, 3),               # 8
        ('out', [1, 9, 2], F32, 0),             # 9
    ]
    buffers = [[], i32s([0, 0, 0]), i32s([1, 9, 2]), i32s([1, 1, 1])]
    codes = [(CUSTOM, 'Landmarks2TransformMatrix'), (CUSTOM, 'TransformTensorBilinear'), (RESHAPE, None),
             (CUSTOM, 'TransformLandmarks'), (45, None)]
    l2m = flex_map({'left_rotation_idx': 0, 'right_rotation_idx': 1, 'output_height': 3, 'output_width': 3,
                    'scale_x': 1.5, 'scale_y': 2.0, 'subset_idxs': [2, 3, 4, 5], 'target_rotation_radians': 0.0})
    ttb = flex_map({'output_height': 3, 'output_width': 3})
    ops = [
        (0, [0], [2], None, l2m),
        (1, [1, 2], [3], None, ttb),
        (2, [3], [4], None, None),
        (3, [4, 2], [5], None, None),
        (4, [5, 6, 7, 8], [9], None, None),
    ]
    return model(tensors, ops, [0, 1], [9, 2, 3], buffers, codes)


def unknown_op_net():
    """One op the engine does not have (SOFTMAX), to check the error names it."""
    tensors = [('input', [1, 4], F32, 0), ('out', [1, 4], F32, 0)]
    return model(tensors, [(0, [0], [1], None, None)], [0], [1], [[]], [(25, None)])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(3)
    good = Writer().finish(small_net(rng))
    files = {'small_net.tflite': good, 'unknown_op.tflite': Writer().finish(unknown_op_net()),
             'attention_ops.tflite': Writer().finish(attention_net())}
    # truncations at every interesting length
    for n in (0, 4, 8, 12, 16, 32, 64, 128, 256, 512, len(good) // 2, len(good) - 1):
        files['trunc_%04d.tflite' % n] = good[:n]
    # byte mutations: flipped bytes, offsets set to huge values, zeroes
    for i in range(40):
        b = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            p = rng.randrange(len(b))
            b[p] = rng.choice([0, 0xff, 0x7f, 0x80, b[p] ^ (1 << rng.randrange(8))])
        files['mut_%02d.tflite' % i] = bytes(b)
    for i in range(10):
        b = bytearray(good)
        p = rng.randrange(0, len(b) - 4) & ~3
        struct.pack_into('<I', b, p, rng.choice([0xffffffff, 0x7fffffff, 0x80000000, len(b), len(b) - 2]))
        files['off_%02d.tflite' % i] = bytes(b)
    for name, data in files.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
