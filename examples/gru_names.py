"""Which country does a name come from? A bidirectional GRU over characters (Liu Er's course,
lecture 14 "RNN classifier").

Each name becomes its ASCII codes; a batch is padded with zeros to its longest name, sorted by
length (longest first) and packed with pack_padded_sequence, so the GRU stops at each name's
end. Embedding -> 2-layer bidirectional GRU -> the last hidden states of both directions ->
Linear -> one score per country.

The course reads names_train.csv.gz and names_test.csv.gz (rows "name,country"); give their
folder with --data. Without it the script makes its own data set: names built from syllables
typical of six languages, the same names on every run.

Prints the running loss every 10 batches and the test accuracy after every epoch.
"""
import argparse
import csv
import gzip
import os
import random

import torch
from torch.nn.utils.rnn import pack_padded_sequence
from torch.utils.data import DataLoader, Dataset

HIDDEN_SIZE = 100
BATCH_SIZE = 256
N_LAYER = 2
N_CHARS = 128   # ASCII

# how names look in each country (for the made-up data set): a start, some middle syllables
# (how many: the range), an ending
SYLLABLES = {
    'Chinese': (['zh', 'w', 'l', 'ch', 'y', 'h', 'x', 'q', 'j', 'sh', 'g', 'd'],
                ['ang', 'ei', 'iu', 'en', 'ao', 'ong', 'ui', 'ian', 'u', 'in', 'uo', 'e'],
                (1, 1), ['']),
    'Japanese': (['k', 't', 'n', 'm', 'r', 's', 'h', 'y', 'w', 'f'],
                 ['a', 'i', 'o', 'u', 'e', 'ka', 'shi', 'to'], (1, 2),
                 ['moto', 'da', 'ta', 'shi', 'ki', 'mura', 'no', 'ra']),
    'Russian': (['iv', 'petr', 'sm', 'kuzn', 'pop', 'vas', 'mikh', 'fed', 'morozh', 'vol',
                 'sobol', 'les'], ['an', 'ol', 'ir', 'ets', 'ush', 'ar', 'ik', 'en'], (0, 1),
                ['ov', 'ev', 'in', 'sky', 'enko', 'ovich', 'ova', 'kin']),
    'Italian': (['ross', 'bian', 'rom', 'col', 'ricc', 'marin', 'gall', 'cont', 'ferr', 'espos',
                 'brun', 'lomb'], ['ell', 'in', 'ett', 'ucc', 'an', 'on'], (0, 1),
                ['i', 'o', 'a', 'ini', 'etti', 'ello', 'one', 'ucci']),
    'Irish': (["o'", 'mc', 'mac', 'fitz'], ['sull', 'brien', 'conn', 'carth', 'donn', 'kell',
                                            'murph', 'gall', 'dough', 'neill'], (1, 1),
              ['ivan', 'y', 'ell', 'agh', 'er', 'an', 'erty', 'ey']),
    'German': (['schm', 'm', 'w', 'sch', 'fisch', 'web', 'beck', 'hoff', 'kl', 'wolf', 'neu',
                'zimm'], ['er', 'ei', 'an', 'or', 'el', 'ler'], (0, 1),
               ['mann', 'berg', 'stein', 'er', 'ner', 'hardt', 'feld', 'burg']),
}


def made_up_names(n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` (name, country) pairs from the syllable tables, the same for the same seed."""
    rng = random.Random(seed)
    countries = sorted(SYLLABLES)
    rows = []
    for i in range(n):
        country = countries[i % len(countries)]
        starts, middles, (lo, hi), ends = SYLLABLES[country]
        parts = [rng.choice(starts)] + [rng.choice(middles) for _ in range(rng.randint(lo, hi))]
        parts.append(rng.choice(ends))
        name = ''.join(parts)
        rows.append((name[0].upper() + name[1:], country))
    rng.shuffle(rows)
    return rows


class NameDataset(Dataset):
    """(name, country index) pairs, from the course's csv.gz files or made up."""

    def __init__(self, is_train_set=True, data_dir=None, countries=None):
        if data_dir:
            filename = os.path.join(data_dir, 'names_train.csv.gz' if is_train_set
                                    else 'names_test.csv.gz')
            with gzip.open(filename, 'rt') as f:
                rows = [(row[0], row[1]) for row in csv.reader(f)]
        else:
            rows = made_up_names(1200 if is_train_set else 300, seed=0 if is_train_set else 1)
        self.names = [row[0] for row in rows]
        self.countries = [row[1] for row in rows]
        self.len = len(self.names)
        self.country_list = countries or list(sorted(set(self.countries)))
        self.country_dict = {name: idx for idx, name in enumerate(self.country_list)}
        self.country_num = len(self.country_list)

    def __getitem__(self, index):
        return self.names[index], self.country_dict[self.countries[index]]

    def __len__(self):
        return self.len

    def idx2country(self, index):
        return self.country_list[index]


class RNNClassifier(torch.nn.Module):
    def __init__(self, input_size, hidden_size, output_size, n_layers=1, bidirectional=True):
        super(RNNClassifier, self).__init__()
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.n_directions = 2 if bidirectional else 1
        self.embedding = torch.nn.Embedding(input_size, hidden_size)
        self.gru = torch.nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=bidirectional)
        self.fc = torch.nn.Linear(hidden_size * self.n_directions, output_size)

    def _init_hidden(self, batch_size):
        return torch.zeros(self.n_layers * self.n_directions, batch_size, self.hidden_size)

    def forward(self, input, seq_lengths):
        input = input.t()            # (batch, seq) -> (seq, batch)
        batch_size = input.size(1)
        hidden = self._init_hidden(batch_size)
        embedding = self.embedding(input)   # (seq, batch, hidden_size)
        gru_input = pack_padded_sequence(embedding, seq_lengths)
        output, hidden = self.gru(gru_input, hidden)
        if self.n_directions == 2:
            # the last layer's final states of the forward and the backward direction
            hidden_cat = torch.cat([hidden[-1], hidden[-2]], dim=1)
        else:
            hidden_cat = hidden[-1]
        return self.fc(hidden_cat)


def name2list(name):
    arr = [ord(c) for c in name]
    return arr, len(arr)


def make_tensors(names, countries):
    """Padded (batch, longest) ASCII codes, lengths and targets, longest name first."""
    sequences_and_lengths = [name2list(name) for name in names]
    name_sequences = [sl[0] for sl in sequences_and_lengths]
    seq_lengths = torch.LongTensor([sl[1] for sl in sequences_and_lengths])
    countries = countries.long()
    seq_tensor = torch.zeros(len(name_sequences), seq_lengths.max()).long()
    for idx, (seq, seq_len) in enumerate(zip(name_sequences, seq_lengths), 0):
        seq_tensor[idx, :seq_len] = torch.LongTensor(seq)
    # pack_padded_sequence wants the longest sequence first
    seq_lengths, perm_idx = seq_lengths.sort(dim=0, descending=True)
    return seq_tensor[perm_idx], seq_lengths, countries[perm_idx]


def train_model(epoch, classifier, trainloader, criterion, optimizer):
    total_loss = 0
    seen = 0
    for i, (names, countries) in enumerate(trainloader, 1):
        inputs, seq_lengths, target = make_tensors(names, countries)
        output = classifier(inputs, seq_lengths)
        loss = criterion(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
        seen += len(inputs)
        if i % 10 == 0 or seen == len(trainloader.dataset):
            print(f'Epoch {epoch} [{seen}/{len(trainloader.dataset)}] loss={total_loss / i:.4f}')
    return total_loss


def test_model(classifier, testloader):
    correct = 0
    total = len(testloader.dataset)
    with torch.no_grad():
        for names, countries in testloader:
            inputs, seq_lengths, target = make_tensors(names, countries)
            output = classifier(inputs, seq_lengths)
            pred = output.max(dim=1, keepdim=True)[1]
            correct += pred.eq(target.view_as(pred)).sum().item()
    percent = '%.2f' % (100 * correct / total)
    print(f'Test set: Accuracy {correct}/{total} {percent}%')
    return correct / total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default=None,
                        help='folder with names_train.csv.gz and names_test.csv.gz (default: '
                             'a made-up data set)')
    parser.add_argument('--epochs', type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(1)

    trainset = NameDataset(is_train_set=True, data_dir=args.data)
    trainloader = DataLoader(trainset, batch_size=BATCH_SIZE, shuffle=True)
    testset = NameDataset(is_train_set=False, data_dir=args.data,
                          countries=trainset.country_list)
    testloader = DataLoader(testset, batch_size=BATCH_SIZE, shuffle=False)
    print(f'{len(trainset)} training names, {len(testset)} test names, '
          f'{trainset.country_num} countries: {", ".join(trainset.country_list)}')

    classifier = RNNClassifier(N_CHARS, HIDDEN_SIZE, trainset.country_num, N_LAYER)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(classifier.parameters(), lr=0.001)

    for epoch in range(1, args.epochs + 1):
        train_model(epoch, classifier, trainloader, criterion, optimizer)
        test_model(classifier, testloader)


if __name__ == '__main__':
    main()
